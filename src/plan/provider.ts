// The plan for one readable provider, in steps that each decide one thing: every image
// (image.ts) and pool (pool.ts), the free room (room.ts), the new nodes (new-nodes.ts), what
// the round does (ledger.ts, where ownership.ts is applied) and what stays (kept.ts). Nothing
// decided is patched afterwards: the image and pool plans are built from the room's outcome.
import type { LoadedConfig } from "../config/definition.js";
import type { LabelConfig, ProviderConfig } from "../config/schema.js";
import { requestExpired } from "../core/node-request.js";
import { byName, compareNatural } from "../core/sort.js";
import { nodeFlavor } from "../config/definition.js";
import { capacityNote } from "./capacity.js";
import type { DefinitionHashes } from "./definition-hashes.js";
import { groupBy } from "./group.js";
import { decideImage, type ImageDecision } from "./image.js";
import type { NodeRequest, PoolNode, ReadableProvider } from "./inventory.js";
import { byImageVersion, keptBuilds, keptNodes } from "./kept.js";
import { buildTarget, Ledger } from "./ledger.js";
import { newNodes } from "./new-nodes.js";
import { hasPool } from "./node-rules.js";
import { decidePool, type PoolDecision } from "./pool.js";
import { QuotaBudget } from "./quota.js";
import { allocateRoom } from "./room.js";
import type { CapacityPlan, NewBuild, NewNode, PlanError, PoolPlan, ProviderPlan } from "./types.js";

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
  const { config, now } = context;
  const ledger = new Ledger(provider.name, context.stack);
  const buildsByImage = groupBy(inventory.images, (b) => b.image);
  const templatesByImage = groupBy(inventory.templates, (t) => t.image);
  const nodesByLabel = groupBy(inventory.nodes, (n) => n.label);
  // A request whose claimer stopped its heartbeat is dead: deleted, never served.
  const expiredRequests = inventory.requests.filter((r) => requestExpired(r.heartbeatAt, now));
  const liveRequests = inventory.requests.filter((r) => !requestExpired(r.heartbeatAt, now));
  const requestsByLabel = groupBy([...liveRequests].sort(oldestFirst), (r) => r.label);

  // 1. Images built here, and leftovers of images no longer built here.
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
    if (!decisions.has(image))
      for (const item of builds) ledger.removeBuild({ item, reason: notBuiltHere(image) });
  for (const [image, templates] of templatesByImage)
    if (!decisions.has(image))
      for (const item of templates) ledger.removeTemplate({ item, reason: notBuiltHere(image) });

  // 2. Pools: labels with min-ready here; nodes of any other label are drained.
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
      // A label gone from images.yaml has no limits any more: its held nodes wait for a person.
      maxReadyAgeSeconds: undefined,
      maxHoldAgeSeconds: undefined,
      maxInUseAgeSeconds: undefined,
      onMaxInUseAge: "report" as const,
      flavor: undefined,
    };
    drained.push(decideLabel(input, provider, undefined, decisions, new Map([[name, nodes]]), [], now));
  }

  // 3. The room: due builds first, then the pools that can grow (room.ts).
  const existing = inventory.nodes.length + inventory.templates.length;
  const growing = pools.filter((p) => p.plan.deficit > 0 && p.plan.currentVersion !== undefined);
  const quota = new QuotaBudget(inventory.quota, inventory.flavors);
  const room = allocateRoom(
    provider.maxServers,
    existing,
    [...decisions.values()].flatMap((d) => (d.wanted ? [{ image: d.plan.image, ...d.wanted }] : [])),
    growing.map((p) => ({
      label: p.plan.label,
      minReadyDeficit: p.plan.deficit - p.plan.requestDeficit,
      requestTimes: p.unserved.map((r) => r.createdAt),
      flavor: nodeFlavor(labels.get(p.plan.label), provider),
      networks: provider.networks,
    })),
    quota,
  );

  // 4. What the round does: builds, new nodes, then what goes (each through the ledger).
  const newBuilds: NewBuild[] = room.started.map(({ build }) => ({ ...build, owner: ledger.newOwner }));
  for (const { build, reason } of room.started) ledger.add("build", buildTarget(build), reason);
  const created: NewNode[] = [];
  for (const pool of growing) {
    const label = labels.get(pool.plan.label)!;
    const made = newNodes(
      pool.plan,
      label,
      provider,
      decisions.get(label.image)!.current!,
      room.shares.get(label.name) ?? 0,
      now,
      nodesByLabel.get(label.name) ?? [],
      context.takenNames,
      ledger.newOwner,
    );
    created.push(...made.nodes);
    for (const action of made.actions) ledger.add(action.kind, action.target, action.reason);
  }
  for (const decision of decisions.values()) {
    decision.deletedBuilds.forEach((removal) => ledger.removeBuild(removal));
    decision.deletedTemplates.forEach((removal) => ledger.removeTemplate(removal));
    for (const { template, reason } of decision.snapshots) ledger.snapshot(template, reason);
  }
  for (const pool of [...pools, ...drained]) pool.deleted.forEach((removal) => ledger.removeNode(removal));
  for (const request of expiredRequests)
    // A request is no stack's: any round that sees its claimer gone removes it.
    ledger.add(
      "delete-request",
      `${request.label} ${request.requester}`,
      `no heartbeat for ${now - request.heartbeatAt} s: its claimer is gone`,
    );

  // 5. The plan as people read it: images, pools and capacity with the room's outcome.
  const imagePlans = [...decisions.values()].map(({ plan }) => {
    const started = room.started.find((b) => b.image === plan.image);
    const waiting = room.waiting.get(plan.image);
    return {
      ...plan,
      ...(started ? { newBuildVersion: started.build.version } : {}),
      ...(waiting ? { noBuildReason: waiting } : {}),
    };
  });
  const counted = pools.map(({ plan }) => {
    const created = growing.some((p) => p.plan === plan) ? (room.shares.get(plan.label) ?? 0) : 0;
    return { ...plan, created, short: plan.deficit - created };
  });
  const capacity: CapacityPlan = {
    maxServers: provider.maxServers,
    existing,
    deleting: ledger.serversDeleted(),
    newTemplates: newBuilds.length,
    newNodes: created.length,
    free: room.free,
    ...(quota.headroom() !== undefined ? { quota: quota.headroom()! } : {}),
  };
  const isShort = (p: PoolPlan) => p.short > 0 && p.currentVersion !== undefined;
  const short = counted.filter(isShort);
  if (short.length > 0) capacity.note = capacityNote(capacity, short, room.quotaShort);
  const why = room.quotaShort !== undefined ? `quota (${room.quotaShort})` : "no room left";
  const poolPlans = counted.map((p) =>
    isShort(p) ? { ...p, note: `short ${p.short}: ${why} in ${provider.name}` } : p,
  );

  // 6. What stays, as the program declares it (kept.ts); then the ledger's verdicts.
  const kept = keptBuilds(
    provider,
    images.map((image) => ({ image, decision: decisions.get(image.name)! })),
    ledger,
  );
  const nodes = keptNodes(
    provider,
    labels,
    [...pools, ...drained].flatMap((p) => p.kept),
    ledger,
  );
  const plan: ProviderPlan = {
    provider: provider.name,
    ...(provider.region !== undefined ? { region: provider.region } : {}),
    images: imagePlans,
    pools: poolPlans,
    capacity,
    actions: ledger.sortedActions(),
    leftAlone: ledger.sortedLeftAlone(),
    desired: {
      ...kept,
      newBuilds: newBuilds.sort(byImageVersion),
      nodes,
      newNodes: created.sort(byName),
      expiredRequests: expiredRequests.sort(oldestFirst),
    },
  };
  return { plan, errors: [...decisions.values()].flatMap((d) => d.errors) };
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
    maxHoldAgeSeconds: label.maxHoldAgeSeconds,
    maxInUseAgeSeconds: label.maxInUseAgeSeconds,
    onMaxInUseAge: label.onMaxInUseAge,
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
