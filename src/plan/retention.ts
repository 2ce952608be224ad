// Which builds of one image in one provider to keep, and why; every other one is deleted.
//
// Invariant (docs/planning.md): a plan never deletes the current build nor the previous one
// (the newest ready non-rejected build below current), whatever happened before: both are
// ready and non-rejected by definition, and those are kept first, before `keep` is applied.
// Since no new build starts while one is in progress, a new ready build is always the very
// next version: when it becomes current, the old current becomes previous and stays. So a
// revert (reject the current one) always has a ready build to fall back to.
//
// A deactivated build (Glance's reversible admin hold) is never usable, so never current, and
// always kept: whoever deactivated it decides what happens to it.
//
// Nodes booted from a build do not protect it: Nova boots from a copy of the image, so a
// server keeps running after its image is deleted from Glance.
import type { ImageBuild } from "./inventory.js";
import type { UsableBuild } from "./current.js";
import type { Removal } from "./progress.js";
import type { KeepReason } from "./types.js";

export interface RetentionInput {
  builds: readonly ImageBuild[];
  /** Ready non-rejected builds with a snapshot id, newest first. */
  usable: readonly UsableBuild[];
  inProgress: ReadonlySet<number>;
  /** Versions already decided elsewhere (abandoned builds): neither kept nor deleted here. */
  decided: ReadonlySet<number>;
  rejected: ReadonlySet<number>;
  currentVersion?: number;
  previousVersion?: number;
  pinnedVersion?: number;
  /** When the pin is bad, nobody knows which build the operator wants: delete no usable one. */
  unsure: boolean;
  keep: number;
}

export interface Retention {
  kept: Map<ImageBuild, KeepReason[]>;
  deleted: Removal<ImageBuild>[];
}

export function retainBuilds(input: RetentionInput): Retention {
  const newest = new Set(input.usable.slice(0, input.keep).map((b) => b.version));
  const usable = new Set(input.usable.map((b) => b.version));
  const retention: Retention = { kept: new Map(), deleted: [] };

  for (const build of input.builds) {
    if (input.decided.has(build.version)) continue;
    // An admin's reversible hold, often an investigation: theirs to end, rejected or not.
    if (build.state === "deactivated") {
      retention.kept.set(build, ["deactivated"]);
      continue;
    }
    // Rejected means never use again, whatever state it is in; it cannot be current or pinned.
    if (input.rejected.has(build.version)) {
      retention.deleted.push({ item: build, reason: "rejected in images.yaml" });
      continue;
    }
    const reasons: KeepReason[] = [];
    if (build.version === input.currentVersion) reasons.push("current");
    if (build.version === input.previousVersion) reasons.push("previous");
    if (build.version === input.pinnedVersion) reasons.push("pinned");
    if (newest.has(build.version)) reasons.push("newest");
    if (input.inProgress.has(build.version)) reasons.push("building");
    if (reasons.length === 0 && input.unsure && usable.has(build.version)) reasons.push("unsure");
    // A ready record without a snapshot id is a reader bug, reported as an error: keep it.
    if (build.state === "ready" && build.cloudImageId === undefined) reasons.push("unsure");
    if (reasons.length > 0) {
      retention.kept.set(build, reasons);
      continue;
    }
    retention.deleted.push({ item: build, reason: deletionReason(build, input) });
  }
  return retention;
}

function deletionReason(build: ImageBuild, input: RetentionInput): string {
  if (build.state === "failed") return "the build failed";
  if (build.state === "building") return "build no longer in progress";
  return `older than the ${input.keep} kept`;
}
