// `nodepool delete-image ID`, the operator page's command: reject that build. No pin: if it
// was current, the previous ready build becomes current by the planner's rules, and when the
// next build is ready it becomes current while the previous one is kept as next most recent.
import { err, ok } from "../core/result.js";
import type { Inventory } from "../plan/inventory.js";
import { chooseCurrent } from "../plan/current.js";
import { buildRef, findImage, type BuildRef, type RollbackPlanner } from "./change.js";
import { cloud, refused, usage } from "./failure.js";
import { usableBuilds } from "../plan/current.js";
import { buildsIn } from "./versions.js";

export interface BuildIdentity {
  provider: string;
  image: string;
  version: number;
}

/** The build `image-list` shows under an ID: its image records and template-only builds. */
export function findBuildById(
  inventory: Inventory,
  id: string,
  idOf: (build: BuildIdentity) => string,
): BuildIdentity[] {
  const found = new Map<string, BuildIdentity>();
  for (const read of Object.values(inventory.providers)) {
    if (!read.readable) continue;
    for (const item of [...read.images, ...read.templates]) {
      if (idOf(item) !== id) continue;
      const { provider, image, version } = item;
      found.set(`${provider}\u0000${image}\u0000${version}`, { provider, image, version });
    }
  }
  return [...found.values()];
}

export function planDeleteImage(
  inventory: Inventory,
  id: string,
  idOf: (build: BuildIdentity) => string,
): RollbackPlanner {
  return (config) => {
    const matches = findBuildById(inventory, id, idOf);
    if (matches.length === 0) {
      const unread = Object.values(inventory.providers).filter((p) => !p.readable);
      const hint = "`nodepool image-list` shows the IDs";
      if (unread.length > 0) {
        const names = unread.map((p) => p.provider).join(", ");
        return err(
          cloud(`no image build has ID ${id} in the providers read (${hint}); could not read: ${names}`),
        );
      }
      return err(usage(`no image build has ID ${id}; ${hint}`));
    }
    if (matches.length > 1) {
      const which = matches.map((m) => `${m.image} ${m.version} in ${m.provider}`).join("; ");
      return err(
        refused(`ID ${id} matches several builds (${which}): use \`nodepool revert\` or edit images.yaml`),
      );
    }
    const { provider, image, version } = matches[0]!;
    const imageConfig = findImage(config, image);
    if (!imageConfig.ok) return imageConfig;
    if (!imageConfig.value.providers.includes(provider)) {
      return err(
        refused(`${image} is no longer built in ${provider} (images.yaml): its builds there are not managed`),
      );
    }
    const rejected = new Set(config.rejected[image]?.[provider] ?? []);
    if (rejected.has(version)) return err(refused(`${image} ${version} in ${provider} is already rejected`));
    const builds = buildsIn(inventory, image, provider);
    if (!builds.ok) return builds;
    const build = builds.value.find((b) => b.version === version);
    const pinned = config.pins[image]?.[provider];
    const unpin = pinned === version ? pinned : undefined;
    const after = chooseCurrent(
      usableBuilds(builds.value, new Set([...rejected, version])),
      builds.value,
      unpin === undefined ? pinned : undefined,
      provider,
    );
    const reject: BuildRef = build ? buildRef(build) : { version };
    const nextCurrent = after.ok && after.current ? buildRef(after.current) : undefined;
    return ok({ command: "delete-image", image, id, changes: [{ provider, reject, unpin, nextCurrent }] });
  };
}
