// `nodepool revert IMAGE`: in each provider, pin the previous ready build and reject the
// current one, so new nodes boot from the previous build and the bad one is retired.
import { err, ok } from "../core/result.js";
import type { Inventory } from "../plan/inventory.js";
import { buildRef, findImage, selectProviders, type ProviderChange, type RollbackPlanner } from "./change.js";
import { refused } from "./failure.js";
import { describeBuilds, versionsOf } from "./versions.js";

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
    // When every provider was implied, say how to revert just the others.
    const others =
      providers.length === 0 && selected.value.length > 1
        ? "; to revert the other providers, name them with --provider"
        : "";
    for (const provider of selected.value) {
      const versions = versionsOf(config, inventory, image, provider);
      if (!versions.ok) return versions;
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
    return ok({ command: "revert", image, changes });
  };
}
