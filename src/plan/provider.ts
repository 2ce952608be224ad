// The plan for one readable provider: decide every image and pool, share the free room,
// name the new nodes, and state the result both as actions (for people) and as the desired
// state (for the Pulumi program), with every input resolved. What is not the planning
// stack's (ownership.ts) becomes neither an action nor desired state, but a leftAlone entry.
import type { LoadedConfig } from "../config/definition.js";
import type { LabelConfig, ProviderConfig } from "../config/schema.js";
import { capacityNote, shareDemand } from "./capacity.js";
import { requestExpired } from "../core/node-request.js";
import type { DefinitionHashes } from "./definition-hashes.js";
import { groupBy } from "./group.js";
import { decideImage, type ImageDecision } from "./image.js";
import type { ImageBuild, NodeRequest, PoolNode, ReadableProvider, TemplateServer } from "./inventory.js";
import { newNodes } from "./new-nodes.js";
import { decidePool, type PoolDecision } from "./pool.js";
import type { Removal } from "./progress.js";
import { byName, compareNatural } from "../core/sort.js";
import { nodeFlavor, templateFlavor } from "../config/definition.js";
import { buildImageName, buildResourceName } from "./names.js";
import { hasPool } from "./node-rules.js";
import { buildOwnership, nodeOwnership, templateOwnership, type Ownership } from "./ownership.js";
import { compareActions, compareLeftAlone } from "./sort.js";
import type {
  Action,
  CapacityPlan,
  KeptBuild,
  KeptNode,
  KeptTemplate,
  LeftAlone,
  NewBuild,
  NewNode,
  PlanError,
  ProviderPlan,
} from "./types.js";

/** What every provider's plan shares within one plan() call. */
export interface PlanContext {
  config: LoadedConfig;
  /** The stack whose round this is (undefined: every stack's at once). */
  stack: string | undefined;
  now: number;
  /** Every node name in the inventory, plus those given out so far: names stay unique. */
  takenNames: Set<string>;
  hashes: DefinitionHashes;
}

export function planProvider(
  context: PlanContext,
  provider: ProviderConfig,
  inventory: ReadableProvider,
): { plan: ProviderPlan; errors: PlanError[] } {
  const { config, stack, now, takenNames } = context;
  const buildsByImage = groupBy(inventory.images, (b) => b.image);
  const templatesByImage = groupBy(inventory.templates, (t) => t.image);
  const nodesByLabel = groupBy(inventory.nodes, (n) => n.label);
  // A request whose claimer stopped its heartbeat is dead: deleted, never served.
  const expiredRequests = inventory.requests.filter((r) => requestExpired(r.heartbeatAt, now));
  const liveRequests = inventory.requests.filter((r) => !requestExpired(r.heartbeatAt, now));
  const requestsByLabel = groupBy([...liveRequests].sort(oldestFirst), (r) => r.label);
  const actions: Action[] = [];
  const leftAlone: LeftAlone[] = [];
  const leave = (kind: LeftAlone["kind"], target: string, owned: Ownership, would: string) => {
    if (owned.ours) return;
    // A template to snapshot is also kept: one entry, the one that says what would happen.
    if (leftAlone.some((l) => l.kind === kind && l.target === target)) return;
    leftAlone.push({
      kind,
      provider: provider.name,
      target,
      owner: owned.owner,
      reason: `${owned.why}; ${would}`,
    });
  };
  /** An action on an existing item: this stack's to do, or left to its owner. */
  const act = (
    kind: Action["kind"],
    leftKind: LeftAlone["kind"],
    target: string,
    owned: Ownership,
    reason: string,
  ) => {
    if (owned.ours) actions.push({ kind, provider: provider.name, owner: owned.owner, target, reason });
    else leave(leftKind, target, owned, `its owner's plan would ${kind}: ${reason}`);
  };
  const buildTarget = (item: { image: string; version: number }) => `${item.image} ${item.version}`;
  const removeBuild = ({ item, reason }: Removal<ImageBuild>) =>
    act("delete-image", "image", buildTarget(item), buildOwnership(item, stack), reason);
  const removeTemplate = ({ item, reason }: Removal<TemplateServer>) =>
    act("delete-template", "template", buildTarget(item), templateOwnership(item, stack), reason);
  const removeNode = ({ item, reason }: Removal<PoolNode>) =>
    act("delete-node", "node", item.name, nodeOwnership(item, stack), reason);

  // Images built here, and leftovers of images no longer built here.
  const images = config.images.filter((i) => i.providers.includes(provider.name)).sort(byName);
  const decisions = new Map<string, ImageDecision>();
  for (const image of images) {
    const builds = buildsByImage.get(image.name) ?? [];
    const templates = templatesByImage.get(image.name) ?? [];
    const hash = context.hashes(image, provider);
    decisions.set(image.name, decideImage(config, image, provider, builds, templates, hash, now));
  }
  const notBuiltHere = (image: string) => `image ${image} is not built in ${provider.name} any more`;
  for (const [image, builds] of buildsByImage)
    if (!decisions.has(image)) for (const item of builds) removeBuild({ item, reason: notBuiltHere(image) });
  for (const [image, templates] of templatesByImage)
    if (!decisions.has(image))
      for (const item of templates) removeTemplate({ item, reason: notBuiltHere(image) });

  // Pools: labels with min-ready here; nodes of any other label are drained.
  const labels = new Map(config.labels.map((l) => [l.name, l]));
  const pools: PoolDecision[] = [];
  const drained: PoolDecision[] = [];
  for (const label of [...config.labels].sort(byName)) {
    if (!hasPool(label, provider.name)) continue;
    const requests = requestsByLabel.get(label.name) ?? [];
    pools.push(
      decideLabel(label, provider, label.minReady[provider.name], decisions, nodesByLabel, requests, now),
    );
  }
  for (const [name, nodes] of nodesByLabel) {
    const label = labels.get(name);
    if (label !== undefined && hasPool(label, provider.name)) continue;
    const input = label ?? {
      name,
      image: "",
      minReady: {},
      maxReadyAgeSeconds: undefined,
      flavor: undefined,
    };
    drained.push(decideLabel(input, provider, undefined, decisions, new Map([[name, nodes]]), [], now));
  }

  // Room: every server that exists counts, including those deleted this round (capacity.ts).
  const existing = inventory.nodes.length + inventory.templates.length;
  let free = Math.max(0, provider.maxServers - existing);
  const newBuilds: NewBuild[] = [];
  for (const decision of decisions.values()) {
    const wanted = decision.wanted;
    if (wanted === undefined) continue;
    if (free === 0) {
      decision.plan.noBuildReason = `waiting for room (max-servers ${provider.maxServers}; due: ${wanted.reason})`;
      continue;
    }
    free--;
    newBuilds.push({ ...wanted.build, owner: stack ?? null });
    decision.plan.newBuildVersion = wanted.build.version;
    actions.push({
      kind: "build",
      provider: provider.name,
      owner: stack ?? null,
      target: buildTarget(wanted.build),
      reason: wanted.reason,
    });
  }
  const growing = pools.filter((p) => p.plan.deficit > 0 && p.plan.currentVersion !== undefined);
  const shares = shareDemand(
    free,
    growing.map((p) => ({
      label: p.plan.label,
      minReadyDeficit: p.plan.deficit - p.plan.requestDeficit,
      requestTimes: p.unserved.map((r) => r.createdAt),
    })),
  );
  const created: NewNode[] = [];
  for (const pool of growing) {
    const count = shares.get(pool.plan.label) ?? 0;
    const label = labels.get(pool.plan.label)!;
    const current = decisions.get(label.image)!.current!;
    const existingNodes = nodesByLabel.get(label.name) ?? [];
    const made = newNodes(
      pool.plan,
      label,
      provider,
      current,
      count,
      now,
      existingNodes,
      takenNames,
      stack ?? null,
    );
    created.push(...made.nodes);
    actions.push(...made.actions);
    pool.plan.created = count;
    pool.plan.short = pool.plan.deficit - count;
    free -= count;
  }

  for (const decision of decisions.values()) {
    decision.deletedBuilds.forEach(removeBuild);
    decision.deletedTemplates.forEach(removeTemplate);
    for (const { template, reason } of decision.snapshots)
      act("snapshot", "template", buildTarget(template), templateOwnership(template, stack), reason);
  }
  for (const pool of [...pools, ...drained]) pool.deleted.forEach(removeNode);
  for (const request of expiredRequests)
    actions.push({
      kind: "delete-request",
      provider: provider.name,
      // A request is no stack's: any round that sees its claimer gone removes it.
      owner: stack ?? null,
      target: `${request.label} ${request.requester}`,
      reason: `no heartbeat for ${now - request.heartbeatAt} s: its claimer is gone`,
    });
  const deleting = actions.filter((a) => a.kind === "delete-node" || a.kind === "delete-template").length;
  const capacity: CapacityPlan = {
    maxServers: provider.maxServers,
    existing,
    deleting,
    newTemplates: newBuilds.length,
    newNodes: created.length,
    free,
  };
  const shortPools = pools.filter((p) => p.plan.short > 0 && p.plan.currentVersion !== undefined);
  if (shortPools.length > 0) {
    capacity.note = capacityNote(
      capacity,
      shortPools.map((p) => p.plan),
    );
    for (const pool of shortPools)
      pool.plan.note = `short ${pool.plan.short}: no room left in ${provider.name}`;
  }

  // What stays, with its inputs resolved; what stays but is another's is left alone.
  const imageConfig = new Map(images.map((i) => [i.name, i]));
  const builds: KeptBuild[] = [];
  const templates: KeptTemplate[] = [];
  const snapshotted = new Set<string>();
  for (const decision of decisions.values()) {
    const image = imageConfig.get(decision.plan.image)!;
    for (const build of decision.keptBuilds) {
      const owned = buildOwnership(build, stack);
      leave("image", buildTarget(build), owned, "kept");
      if (owned.ours)
        builds.push({
          ...build,
          owner: owned.owner,
          resourceName: buildResourceName(provider.name, build.image, build.version),
          imageName: buildImageName(build.image, build.version),
          buildTimeoutSeconds: image.buildTimeoutSeconds,
        });
    }
    for (const { template } of decision.snapshots) snapshotted.add(template.serverId);
    for (const template of decision.keptTemplates) {
      const owned = templateOwnership(template, stack);
      leave("template", buildTarget(template), owned, "kept");
      if (owned.ours)
        templates.push({
          ...template,
          owner: owned.owner,
          resourceName: buildResourceName(provider.name, template.image, template.version),
          imageName: buildImageName(template.image, template.version),
          flavor: templateFlavor(image, provider),
          buildTimeoutSeconds: image.buildTimeoutSeconds,
        });
    }
  }
  const nodes: KeptNode[] = [];
  for (const node of [...pools, ...drained].flatMap((p) => p.kept)) {
    const owned = nodeOwnership(node, stack);
    leave("node", node.name, owned, "kept");
    if (owned.ours)
      nodes.push({ ...node, owner: owned.owner, flavor: nodeFlavor(labels.get(node.label), provider) });
  }

  const decided = [...decisions.values()];
  const plan: ProviderPlan = {
    provider: provider.name,
    ...(provider.region !== undefined ? { region: provider.region } : {}),
    images: decided.map((d) => d.plan),
    pools: pools.map((p) => p.plan),
    capacity,
    actions: actions.sort(compareActions),
    leftAlone: leftAlone.sort(compareLeftAlone),
    desired: {
      builds: builds.sort(byImageVersion),
      newBuilds: newBuilds.sort(byImageVersion),
      templates: templates.sort(byImageVersion),
      snapshots: templates.filter((t) => snapshotted.has(t.serverId)),
      nodes: nodes.sort(byName),
      newNodes: created.sort(byName),
      expiredRequests: expiredRequests.sort(oldestFirst),
    },
  };
  return { plan, errors: decided.flatMap((d) => d.errors) };
}

function decideLabel(
  label: LabelConfig,
  provider: ProviderConfig,
  minReady: number | undefined,
  decisions: ReadonlyMap<string, ImageDecision>,
  nodesByLabel: ReadonlyMap<string, PoolNode[]>,
  requests: readonly NodeRequest[],
  now: number,
): PoolDecision {
  const image = decisions.get(label.image);
  return decidePool({
    label: label.name,
    image: label.image,
    minReady,
    maxReadyAgeSeconds: label.maxReadyAgeSeconds,
    launchTimeoutSeconds: provider.launchTimeoutSeconds,
    nodes: nodesByLabel.get(label.name) ?? [],
    requests,
    current: image?.current,
    rejected: image?.rejected ?? new Set(),
    now,
  });
}

const oldestFirst = (a: NodeRequest, b: NodeRequest) =>
  a.createdAt - b.createdAt || compareNatural(a.id, b.id);

const byImageVersion = <T extends { image: string; version: number }>(a: T, b: T) =>
  compareNatural(a.image, b.image) || a.version - b.version;
