// The builds of one image in one provider and which is current and previous, decided by the
// planner's own rules (plan/current.ts), so a revert goes exactly where `plan` says it will.
import type { Config } from "../config/schema.js";
import { err, ok, type Result } from "../core/result.js";
import { chooseCurrent, usableBuilds, type UsableBuild } from "../plan/current.js";
import type { ImageBuild, Inventory } from "../plan/inventory.js";
import { cloud, refused, type RollbackFailure } from "./failure.js";

export interface ImageVersions {
  image: string;
  provider: string;
  /** Every build of the image there, newest first. */
  builds: ImageBuild[];
  rejected: ReadonlySet<number>;
  pinned?: number;
  current?: UsableBuild;
  previous?: UsableBuild;
}

export function buildsIn(
  inventory: Inventory,
  image: string,
  provider: string,
): Result<ImageBuild[], RollbackFailure> {
  const read = inventory.providers[provider];
  if (read === undefined) return err(cloud(`provider ${provider} was not read: nothing was changed`));
  if (!read.readable)
    return err(cloud(`provider ${provider} could not be read, nothing was changed: ${read.error}`));
  return ok(read.images.filter((b) => b.image === image).sort((a, b) => b.version - a.version));
}

export function versionsOf(
  config: Config,
  inventory: Inventory,
  image: string,
  provider: string,
): Result<ImageVersions, RollbackFailure> {
  const builds = buildsIn(inventory, image, provider);
  if (!builds.ok) return builds;
  const rejected = new Set(config.rejected[image]?.[provider] ?? []);
  const pinned = config.pins[image]?.[provider];
  const choice = chooseCurrent(usableBuilds(builds.value, rejected), builds.value, pinned, provider);
  if (!choice.ok) {
    return err(
      refused(
        `${image}: ${choice.message}; pin a ready build or run \`nodepool unpin ${image} --provider ${provider}\``,
      ),
    );
  }
  return ok({
    image,
    provider,
    builds: builds.value,
    rejected,
    pinned,
    current: choice.current,
    previous: choice.previous,
  });
}

/** "1394514268 ready (current), 1394500000 failed, 1394331000 ready (rejected)" */
export function describeBuilds(versions: ImageVersions): string {
  if (versions.builds.length === 0) return "none";
  return versions.builds
    .map((build) => {
      const notes = [
        build.version === versions.current?.version ? "current" : "",
        build.version === versions.pinned ? "pinned" : "",
        versions.rejected.has(build.version) ? "rejected" : "",
      ].filter(Boolean);
      return `${build.version} ${build.state}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`;
    })
    .join(", ");
}
