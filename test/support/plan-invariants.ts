// What must hold for every plan, whatever happened before. Each check derives its
// expectation from the inputs the simplest way, independently of the planner's code.
import assert from "node:assert/strict";
import type { LoadedConfig } from "../../src/config/definition.js";
import {
  setupFinished,
  type ImageBuild,
  type Inventory,
  type ReadableProvider,
} from "../../src/plan/inventory.js";
import type { Plan, ProviderPlan } from "../../src/plan/types.js";

export interface Expected {
  current?: number;
  previous?: number;
  pinError: boolean;
}

/** current/previous as the operator page defines them, plus pins. */
export function expectedCurrent(
  config: LoadedConfig,
  builds: ImageBuild[],
  image: string,
  provider: string,
): Expected {
  const rejected = config.rejected[image]?.[provider] ?? [];
  const usable = builds
    .filter(
      (b) => b.image === image && b.state === "ready" && b.cloudImageId && !rejected.includes(b.version),
    )
    .map((b) => b.version)
    .sort((a, b) => b - a);
  const pin = config.pins[image]?.[provider];
  if (pin !== undefined && !usable.includes(pin)) return { pinError: true };
  const at = pin === undefined ? 0 : usable.indexOf(pin);
  return { current: usable[at], previous: usable[at + 1], pinError: false };
}

export function checkPlan(config: LoadedConfig, inventory: Inventory, plan: Plan): void {
  const planned = new Map(plan.providers.map((p) => [p.provider, p]));
  for (const provider of config.providers) {
    const read = inventory.providers[provider.name];
    if (read === undefined || !read.readable) {
      assert.ok(!planned.has(provider.name), `${provider.name} was not read but has a plan`);
      assert.ok(
        plan.unreadable.some((u) => u.provider === provider.name),
        `${provider.name} not flagged unread`,
      );
      continue;
    }
    const p = planned.get(provider.name);
    assert.ok(p, `${provider.name} was read but has no plan`);
    checkPartition(read, p, plan.stack);
    checkImages(config, read, p, plan);
    checkNodes(config, inventory, read, p);
    checkCapacity(provider.maxServers, read, p);
  }
}

/**
 * Every item the inventory has is exactly one of: declared again (untouched), deleted, or left
 * alone as another owner's; and each declared or deleted one is the planning stack's.
 */
function checkPartition(read: ReadableProvider, p: ProviderPlan, stack: string | undefined): void {
  const deleted = (kind: string) => new Set(p.actions.filter((a) => a.kind === kind).map((a) => a.target));
  const alone = (kind: string) => new Set(p.leftAlone.filter((l) => l.kind === kind).map((l) => l.target));
  const sides = [
    {
      items: read.images.map((b) => `${b.image} ${b.version}`),
      kept: p.desired.builds.map((b) => `${b.image} ${b.version}`),
      gone: deleted("delete-image"),
      others: alone("image"),
    },
    {
      items: read.templates.map((t) => `${t.image} ${t.version}`),
      kept: p.desired.templates.map((t) => `${t.image} ${t.version}`),
      gone: deleted("delete-template"),
      others: alone("template"),
    },
    {
      items: read.nodes.map((n) => n.name),
      kept: p.desired.nodes.map((n) => n.name),
      gone: deleted("delete-node"),
      others: alone("node"),
    },
  ];
  for (const { items, kept, gone, others } of sides) {
    const keptSet = new Set(kept);
    for (const item of items)
      assert.equal(
        [keptSet.has(item), gone.has(item), others.has(item)].filter(Boolean).length,
        1,
        `${p.provider} ${item}: kept=${keptSet.has(item)} deleted=${gone.has(item)} left alone=${others.has(item)}`,
      );
    assert.equal(
      kept.length + gone.size + others.size,
      items.length,
      `${p.provider}: declares, deletes or leaves alone something it never saw`,
    );
  }
  if (stack !== undefined) {
    for (const item of [
      ...p.desired.builds,
      ...p.desired.templates,
      ...p.desired.nodes,
      ...p.desired.newNodes,
    ])
      assert.equal(item.owner, stack, `${p.provider}: declares what is not ${stack}'s`);
    for (const action of p.actions) assert.equal(action.owner, stack, `${action.kind} ${action.target}`);
    for (const other of p.leftAlone) assert.notEqual(other.owner, stack, `${other.kind} ${other.target}`);
  }
  for (const node of p.desired.nodes) {
    const seen = read.nodes.find((n) => n.name === node.name);
    // The record as read, plus only what the plan resolved for the program.
    assert.deepEqual(
      node,
      { ...seen, owner: node.owner, flavor: node.flavor },
      `${node.name} must be passed through untouched`,
    );
  }
}

function checkImages(config: LoadedConfig, read: ReadableProvider, p: ProviderPlan, plan: Plan): void {
  const kept = new Set(p.desired.builds.map((b) => `${b.image} ${b.version}`));
  for (const image of config.images.filter((i) => i.providers.includes(p.provider))) {
    const expected = expectedCurrent(config, read.images, image.name, p.provider);
    const decided = p.images.find((i) => i.image === image.name)!;
    const rejected = config.rejected[image.name]?.[p.provider] ?? [];
    if (expected.pinError) {
      assert.ok(
        plan.errors.some((e) => e.path === `pins.${image.name}.${p.provider}`),
        `bad pin of ${image.name} in ${p.provider} is not an error`,
      );
      for (const b of read.images)
        if (b.image === image.name && b.state === "ready" && !rejected.includes(b.version))
          assert.ok(kept.has(`${b.image} ${b.version}`), `bad pin: ready ${b.version} must not be deleted`);
      assert.equal(decided.currentVersion, undefined, "a bad pin must not fall back to another build");
    } else {
      assert.equal(decided.currentVersion, expected.current, `${image.name} ${p.provider} current`);
      assert.equal(decided.previousVersion, expected.previous, `${image.name} ${p.provider} previous`);
      // The invariant of the operator page: never delete the current or the next most recent.
      for (const version of [expected.current, expected.previous])
        if (version !== undefined)
          assert.ok(
            kept.has(`${image.name} ${version}`),
            `${image.name} ${version} in ${p.provider} must be kept`,
          );
    }
    for (const b of p.desired.builds.filter((b) => b.image === image.name)) {
      assert.ok(!rejected.includes(b.version), `rejected ${b.version} kept`);
      assert.notEqual(b.state, "failed", `failed ${b.version} kept`);
    }
    const inProgress = decided.buildingVersion !== undefined;
    const started = p.desired.newBuilds.filter((b) => b.image === image.name);
    assert.ok(started.length <= 1);
    if (started.length > 0) {
      assert.ok(
        !inProgress && !image.paused,
        `${image.name} ${p.provider}: build started while building or paused`,
      );
      const highest = Math.max(0, ...read.images.filter((b) => b.image === image.name).map((b) => b.version));
      assert.ok(started[0]!.version > highest, "new versions only go up");
    }
  }
  // Only a kept template server whose setup finished is snapshotted, and only once.
  const keptTemplates = new Set(p.desired.templates.map((t) => t.serverId));
  for (const t of p.desired.snapshots) {
    assert.ok(keptTemplates.has(t.serverId), `snapshot of ${t.serverId}, which is not kept`);
    assert.ok(setupFinished(t), `snapshot of ${t.serverId} before its setup finished`);
    assert.ok(
      !read.images.some((b) => b.image === t.image && b.version === t.version),
      `second snapshot of ${t.image} ${t.version}`,
    );
  }
}

function checkNodes(
  config: LoadedConfig,
  inventory: Inventory,
  read: ReadableProvider,
  p: ProviderPlan,
): void {
  const everyName = new Set<string>();
  for (const provider of Object.values(inventory.providers))
    if (provider.readable) for (const n of provider.nodes) everyName.add(n.name);
  const created = new Set<string>();
  for (const node of p.desired.newNodes) {
    assert.ok(!everyName.has(node.name) && !created.has(node.name), `name ${node.name} reused`);
    created.add(node.name);
    const label = config.labels.find((l) => l.name === node.label)!;
    const current = p.images.find((i) => i.image === label.image)?.currentVersion;
    assert.equal(node.imageVersion, current, `${node.name} must boot from the current build`);
    const build = read.images.find((b) => b.image === label.image && b.version === current);
    assert.equal(node.cloudImageId, build?.cloudImageId);
  }
  for (const node of read.nodes)
    if (node.state === "in-use" || node.state === "hold") {
      // The one exception: the label's own max-hold-age, or max-in-use-age with release.
      const label = config.labels.find((l) => l.name === node.label);
      const age = node.stateChangedAt === undefined ? 0 : inventory.readAt - node.stateChangedAt;
      const limit =
        node.state === "hold"
          ? label?.maxHoldAgeSeconds
          : label?.onMaxInUseAge === "release"
            ? label.maxInUseAgeSeconds
            : undefined;
      if (limit !== undefined && age > limit) continue;
      assert.ok(
        p.desired.nodes.some((n) => n.name === node.name),
        `${node.state} ${node.name} must stay`,
      );
    }
  for (const node of p.desired.nodes) {
    assert.ok(!["used", "failed", "deleting"].includes(node.state), `${node.state} ${node.name} kept`);
    if (node.state !== "ready" && node.state !== "building") continue;
    const label = config.labels.find((l) => l.name === node.label)!;
    const current = p.images.find((i) => i.image === label.image)?.currentVersion;
    assert.ok(
      !(config.rejected[label.image]?.[p.provider] ?? []).includes(node.imageVersion),
      `${node.state} ${node.name} on a rejected build kept`,
    );
    if (current === undefined || node.state !== "ready") continue;
    assert.equal(node.imageVersion, current, `ready ${node.name} on a stale build kept`);
    if (label.maxReadyAgeSeconds !== undefined)
      assert.ok(inventory.readAt - node.createdAt <= label.maxReadyAgeSeconds, `${node.name} too old`);
  }
  for (const pool of p.pools) {
    if (pool.currentVersion === undefined) continue;
    const filled = pool.counts.ready + pool.counts.building + pool.created;
    assert.ok(filled >= pool.minReady || p.capacity.free === 0, `${pool.label} short with room left`);
  }
}

/** max-servers is never exceeded, counting what this round deletes as still there. */
function checkCapacity(maxServers: number, read: ReadableProvider, p: ProviderPlan): void {
  const existing = read.nodes.length + read.templates.length;
  const added = p.desired.newNodes.length + p.desired.newBuilds.length;
  if (added > 0)
    assert.ok(existing + added <= maxServers, `${p.provider}: ${existing} + ${added} > ${maxServers}`);
}
