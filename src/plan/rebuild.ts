// Whether an image is due for a new build in a provider, and why. Whether it may start
// (paused, a build in progress, capacity) is decided by the caller.
import { formatHours } from "../config/duration.js";
import type { UsableBuild } from "./current.js";

/**
 * Due when there is no usable build, the newest usable one was built from another
 * definition, or it started more than rebuild-age ago. Rejected builds do not count: after a
 * revert the fallback is old, so a fresh build starts at once (the operator page's "when
 * nodepool next creates an image" then keeps the fallback as the previous one).
 */
export function rebuildDue(
  newestUsable: UsableBuild | undefined,
  expectedHash: string,
  rebuildAgeSeconds: number,
  now: number,
): string | undefined {
  if (newestUsable === undefined) return "no ready build";
  if (newestUsable.definitionHash !== expectedHash) {
    const was = newestUsable.definitionHash ?? "unknown";
    return `definition changed since ${newestUsable.version} was built (hash ${was} → ${expectedHash})`;
  }
  const age = now - newestUsable.version;
  if (age > rebuildAgeSeconds)
    return `newest ready is ${formatHours(age)} old, rebuild-age ${formatHours(rebuildAgeSeconds)}`;
  return undefined;
}
