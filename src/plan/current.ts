// The current build (what new nodes boot from) and the previous one (where a revert goes),
// as the Nodepool operator page defines them, plus pins. A bad pin is an error, never a
// silent fallback to the newest build: the operator asked for that exact version.
import type { ImageBuild } from "./inventory.js";

/** A ready build with its snapshot's id: the only kind nodes can boot from (not deactivated). */
export type UsableBuild = ImageBuild & { cloudImageId: string };

export type CurrentChoice =
  { ok: true; current?: UsableBuild; previous?: UsableBuild } | { ok: false; message: string };

export function isUsable(build: ImageBuild): build is UsableBuild {
  return build.state === "ready" && build.cloudImageId !== undefined;
}

/** Ready, with a snapshot, not rejected: newest first. */
export function usableBuilds(builds: readonly ImageBuild[], rejected: ReadonlySet<number>): UsableBuild[] {
  return builds
    .filter((b): b is UsableBuild => isUsable(b) && !rejected.has(b.version))
    .sort((a, b) => b.version - a.version);
}

/**
 * `usable`: ready non-rejected builds, newest first. current = the pin if set (it must be
 * one of them), else the newest; previous = the newest usable build below current.
 */
export function chooseCurrent(
  usable: readonly UsableBuild[],
  all: readonly ImageBuild[],
  pinned: number | undefined,
  provider: string,
): CurrentChoice {
  let index = 0;
  if (pinned !== undefined) {
    index = usable.findIndex((b) => b.version === pinned);
    if (index < 0) return { ok: false, message: badPinMessage(pinned, usable, all, provider) };
  }
  return { ok: true, current: usable[index], previous: usable[index + 1] };
}

function badPinMessage(
  pinned: number,
  usable: readonly UsableBuild[],
  all: readonly ImageBuild[],
  provider: string,
): string {
  const existing = all.find((b) => b.version === pinned);
  const state = existing === undefined ? "" : ` (it is ${existing.state})`;
  const ready = usable
    .map((b) => b.version)
    .sort((a, b) => a - b)
    .join(", ");
  return `version ${pinned} is not a ready build in ${provider}${state} (ready: ${ready || "none"})`;
}
