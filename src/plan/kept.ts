// What stays in one provider, as the program declares it: the planning stack's own kept
// builds, template servers and nodes, each with its owner and resolved inputs (names, flavor,
// build timeout). Another owner's are named in the ledger as left alone instead.
import { nodeFlavor, templateFlavor } from "../config/definition.js";
import type { ImageConfig, LabelConfig, ProviderConfig } from "../config/schema.js";
import { compareNatural } from "../core/sort.js";
import type { ImageDecision } from "./image.js";
import type { PoolNode } from "./inventory.js";
import { buildTarget, type Ledger } from "./ledger.js";
import { buildImageName, buildResourceName } from "./names.js";
import { buildOwnership, nodeOwnership, templateOwnership } from "./ownership.js";
import type { KeptBuild, KeptNode, KeptTemplate } from "./types.js";

export function keptBuilds(
  provider: ProviderConfig,
  decisions: readonly { image: ImageConfig; decision: ImageDecision }[],
  ledger: Ledger,
): { builds: KeptBuild[]; templates: KeptTemplate[]; snapshots: KeptTemplate[] } {
  const builds: KeptBuild[] = [];
  const templates: KeptTemplate[] = [];
  const toSnapshot = new Set<string>();
  for (const { image, decision } of decisions) {
    const names = (item: { image: string; version: number }) => ({
      resourceName: buildResourceName(provider.name, item.image, item.version),
      imageName: buildImageName(item.image, item.version),
      buildTimeoutSeconds: image.buildTimeoutSeconds,
    });
    for (const build of decision.keptBuilds) {
      const owned = buildOwnership(build, ledger.stack);
      ledger.keep("image", buildTarget(build), owned);
      if (owned.ours) builds.push({ ...build, owner: owned.owner, ...names(build) });
    }
    for (const { template } of decision.snapshots) toSnapshot.add(template.serverId);
    for (const template of decision.keptTemplates) {
      const owned = templateOwnership(template, ledger.stack);
      ledger.keep("template", buildTarget(template), owned);
      if (owned.ours)
        templates.push({
          ...template,
          owner: owned.owner,
          ...names(template),
          flavor: templateFlavor(image, provider),
        });
    }
  }
  builds.sort(byImageVersion);
  templates.sort(byImageVersion);
  return { builds, templates, snapshots: templates.filter((t) => toSnapshot.has(t.serverId)) };
}

export function keptNodes(
  provider: ProviderConfig,
  labels: ReadonlyMap<string, LabelConfig>,
  kept: readonly PoolNode[],
  ledger: Ledger,
): KeptNode[] {
  const nodes: KeptNode[] = [];
  for (const node of kept) {
    const owned = nodeOwnership(node, ledger.stack);
    ledger.keep("node", node.name, owned);
    if (owned.ours)
      nodes.push({ ...node, owner: owned.owner, flavor: nodeFlavor(labels.get(node.label), provider) });
  }
  return nodes.sort((a, b) => compareNatural(a.name, b.name));
}

export const byImageVersion = <T extends { image: string; version: number }>(a: T, b: T) =>
  compareNatural(a.image, b.image) || a.version - b.version;
