// `nodepool revert IMAGE`: in each provider, pin the previous ready build and reject the
// current one, so new nodes boot from the previous build and the bad one is retired. A
// provider an earlier revert already put there is left as it is (revertedFrom).
import { err, ok } from "../core/result.js";
import { usableBuilds } from "../plan/current.js";
import type { Inventory } from "../plan/inventory.js";
import {
  buildRef,
  findImage,
  selectProviders,
  type AlreadyReverted,
  type ProviderChange,
  type RollbackPlanner,
} from "./change.js";
import { refused } from "./failure.js";
import { describeBuilds, versionsOf, type ImageVersions } from "./versions.js";

export function planRevert(
  inventory: Inventory,
  image: string,
  providers: readonly string[],
): RollbackPlanner {
  return (config) => {
    const imageConfig = findImage(config, image);
    if (!imageConfig.ok) return imageConfig;
    const selected = selectProviders(imageConfig.value, providers);
    if (!selected.ok) return selected;
    const changes: ProviderChange[] = [];
    const alreadyReverted: AlreadyReverted[] = [];
    // When every provider was implied, say how to revert just the others.
    const others =
      providers.length === 0 && selected.value.length > 1
        ? "; to revert the other providers, name them with --provider"
        : "";
    for (const provider of selected.value) {
      const versions = versionsOf(config, inventory, image, provider);
      if (!versions.ok) return versions;
      const reverted = revertedFrom(versions.value);
      if (reverted !== undefined) {
        alreadyReverted.push(reverted);
        continue;
      }
      const { current, previous } = versions.value;
      const builds = describeBuilds(versions.value);
      if (current === undefined) {
        return err(
          refused(
            `no ready build of ${image} in ${provider} to revert (builds there: ${builds}); nothing was changed${others}`,
          ),
        );
      }
      if (previous === undefined) {
        return err(
          refused(
            `no previous ready build of ${image} in ${provider} below the current ${current.version} to revert to ` +
              `(builds there: ${builds}); nothing was changed. Wait for a new build, or reject the current one ` +
              `with \`nodepool delete-image ID\` (no build is then usable until one is ready)${others}`,
          ),
        );
      }
      changes.push({
        provider,
        pin: buildRef(previous),
        reject: buildRef(current),
        nextCurrent: buildRef(previous),
      });
    }
    return ok({
      command: "revert",
      image,
      changes,
      ...(alreadyReverted.length > 0 ? { alreadyReverted } : {}),
    });
  };
}

/**
 * A revert of Y writes a pin on X and a rejection of Y, where X is the newest usable build
 * below Y. Finding exactly that again, a second revert of the same incident (another operator,
 * another clone, a --branch run after a local one) must not take X for the bad build and go
 * one further back. Builds newer than Y change nothing: the pin holds new nodes on X. Y need
 * not be in the cloud any more (the next `up` deletes it); the rejection in images.yaml counts.
 */
export function revertedFrom(versions: ImageVersions): AlreadyReverted | undefined {
  const { provider, pinned, current, rejected, builds } = versions;
  if (pinned === undefined || current === undefined) return undefined;
  const rejectedAbove = [...rejected].filter((version) => version > pinned);
  if (rejectedAbove.length === 0) return undefined;
  const lowest = Math.min(...rejectedAbove);
  const usableBetween = usableBuilds(builds, rejected).some((b) => b.version > pinned && b.version < lowest);
  if (usableBetween) return undefined;
  const rejectedBuild = builds.find((b) => b.version === lowest);
  return {
    provider,
    pinned: buildRef(current),
    rejected: rejectedBuild ? buildRef(rejectedBuild) : { version: lowest },
  };
}
