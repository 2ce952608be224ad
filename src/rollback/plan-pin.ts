// `nodepool pin IMAGE VERSION` and `nodepool unpin IMAGE`: hold new nodes on one build, or let
// them follow the newest ready build again.
import { err, ok } from "../core/result.js";
import type { Inventory } from "../plan/inventory.js";
import { buildRef, findImage, selectProviders, type ProviderChange, type RollbackPlanner } from "./change.js";
import { refused } from "./failure.js";
import { usableBuilds } from "../plan/current.js";
import { buildsIn, describeBuilds, versionsOf } from "./versions.js";

export function planPin(
  inventory: Inventory,
  image: string,
  version: number,
  providers: readonly string[],
): RollbackPlanner {
  return (config) => {
    const imageConfig = findImage(config, image);
    if (!imageConfig.ok) return imageConfig;
    const selected = selectProviders(imageConfig.value, providers);
    if (!selected.ok) return selected;
    const changes: ProviderChange[] = [];
    for (const provider of selected.value) {
      // A bad pin is what `pin` repairs, so only an unreadable provider stops it here.
      const builds = buildsIn(inventory, image, provider);
      if (!builds.ok) return builds;
      const rejected = new Set(config.rejected[image]?.[provider] ?? []);
      const build = usableBuilds(builds.value, rejected).find((b) => b.version === version);
      if (build === undefined) {
        const found = builds.value.find((b) => b.version === version);
        const why = rejected.has(version)
          ? "it is rejected"
          : found
            ? `it is ${found.state}`
            : "there is no such build";
        const versions = versionsOf(config, inventory, image, provider);
        const what = versions.ok
          ? describeBuilds(versions.value)
          : builds.value.map((b) => `${b.version} ${b.state}`).join(", ") || "none";
        return err(
          refused(`${image} ${version} is not ready in ${provider} (${why}; builds there: ${what})`),
        );
      }
      if (config.pins[image]?.[provider] === version) continue;
      changes.push({ provider, pin: buildRef(build), nextCurrent: buildRef(build) });
    }
    return ok({ command: "pin", image, changes });
  };
}

/** Needs no inventory: the pin goes whatever the clouds hold. */
export function planUnpin(image: string, providers: readonly string[]): RollbackPlanner {
  return (config) => {
    const imageConfig = findImage(config, image);
    if (!imageConfig.ok) return imageConfig;
    const pins = config.pins[image] ?? {};
    const pinnedProviders = Object.keys(pins);
    if (providers.length === 0 && pinnedProviders.length === 0) {
      return err(refused(`${image} is not pinned in any provider: nothing to unpin`));
    }
    const selected =
      providers.length === 0 ? ok(pinnedProviders) : selectProviders(imageConfig.value, providers);
    if (!selected.ok) return selected;
    const changes: ProviderChange[] = [];
    for (const provider of selected.value) {
      const pinned = pins[provider];
      if (pinned === undefined) {
        const where =
          pinnedProviders.length > 0
            ? `it is pinned in: ${pinnedProviders.join(", ")}`
            : "it is pinned nowhere";
        return err(refused(`${image} is not pinned in ${provider} (${where})`));
      }
      changes.push({ provider, unpin: pinned });
    }
    return ok({ command: "unpin", image, changes });
  };
}
