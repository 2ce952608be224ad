// Pool rules: which nodes stay, which are replaced and why, how many are added, their names.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { LoadedConfig } from "../../src/config/definition.js";
import { formatPlan } from "../../src/plan/format-text.js";
import { plan } from "../../src/plan/plan.js";
import type { PoolNode } from "../../src/plan/inventory.js";
import { configFromYaml, seedYaml } from "../support/config-fixtures.js";
import { inventoryOf, node, readyBuild, TEST_OWNER } from "../support/plan-inventory.js";
import { poolPlan, providerPlan, reasonFor, targets } from "../support/plan-queries.js";

const NOW = 1_400_000_000;
const HOUR = 3600;
const CURRENT = NOW - 2 * HOUR;
const OLD = NOW - 26 * HOUR;
const config = configFromYaml(seedYaml({ minReady: 3, maxServers: 20 }));
const images = [readyBuild(config, OLD), readyBuild(config, CURRENT)];
const name = (n: number) => `devstack-precise-hpcloud-az2-${n}`;
/** The i-th node a round at NOW names (src/plan/names.ts). */
const newName = (i: number, round = NOW) => `devstack-precise-hpcloud-az2-${round}-${i}`;
const planWith = (nodes: PoolNode[], cfg = config) =>
  plan(cfg, inventoryOf(NOW, { "hpcloud-az2": { images, nodes } }), TEST_OWNER, NOW);

test("in-use, held and building nodes stay whatever they were booted from", () => {
  const booting = { state: "building", createdAt: NOW - 600 } as const;
  const nodes = [
    node(name(1), OLD, { state: "in-use" }),
    node(name(2), OLD, { state: "hold" }),
    node(name(3), OLD, booting),
    node(name(4), CURRENT, booting),
  ];
  const result = planWith(nodes);
  assert.deepEqual(
    providerPlan(result).desired.nodes.map((n) => n.name),
    nodes.map((n) => n.name),
  );
  assert.deepEqual(targets(result, "delete-node"), []);
  assert.deepEqual(poolPlan(result).counts, { ready: 0, building: 1, inUse: 1, held: 1, stale: 1 });
});

test("used, failed and deleting nodes are deleted, each with its reason", () => {
  const result = planWith([
    node(name(1), CURRENT, { state: "used" }),
    node(name(2), CURRENT, { state: "failed" }),
    node(name(3), CURRENT, { state: "deleting" }),
  ]);
  assert.equal(reasonFor(result, "delete-node", name(1)), "used by its job");
  assert.equal(reasonFor(result, "delete-node", name(2)), "the server failed");
  assert.equal(reasonFor(result, "delete-node", name(3)), "marked for deletion");
});

test("ready nodes booted from a build that is not current are replaced", () => {
  const result = planWith([node(name(1), OLD, { createdAt: NOW - HOUR }), node(name(2), CURRENT)]);
  assert.equal(reasonFor(result, "delete-node", name(1)), `booted from ${OLD}, current is ${CURRENT}`);
  assert.deepEqual(
    providerPlan(result).desired.nodes.map((n) => n.name),
    [name(2)],
  );
});

test("ready nodes older than max-ready-age are replaced; younger ones stay", () => {
  const result = planWith([
    node(name(1), CURRENT, { createdAt: NOW - 25 * HOUR }),
    node(name(2), CURRENT, { createdAt: NOW - 23 * HOUR }),
  ]);
  assert.equal(reasonFor(result, "delete-node", name(1)), "25.0 h old, max-ready-age 24.0 h");
  assert.deepEqual(
    providerPlan(result).desired.nodes.map((n) => n.name),
    [name(2)],
  );
});

test("without max-ready-age, old ready nodes stay", () => {
  const noAge = configFromYaml(seedYaml({ maxServers: 20 }).replace("    max-ready-age: 24h\n", ""));
  const result = planWith([node(name(1), CURRENT, { createdAt: NOW - 90 * HOUR })], noAge);
  assert.deepEqual(targets(result, "delete-node"), []);
});

test("new nodes fill min-ready, counting kept ready and building nodes on the current build", () => {
  const result = planWith([
    node(name(1), CURRENT, { state: "ready" }),
    node(name(2), CURRENT, { state: "in-use" }),
    node(name(3), OLD, { state: "building" }),
  ]);
  const pool = poolPlan(result);
  assert.equal(pool.deficit, 2);
  assert.equal(pool.created, 2);
  const created = providerPlan(result).desired.newNodes;
  assert.deepEqual(
    created.map((n) => [n.name, n.imageVersion, n.cloudImageId, n.flavor]),
    [
      [newName(1), CURRENT, `glance-${CURRENT}`, "m1.nodepool"],
      [newName(2), CURRENT, `glance-${CURRENT}`, "m1.nodepool"],
    ],
  );
  assert.deepEqual(created[0]?.networks, ["nodepool-net"]);
  assert.equal(
    reasonFor(result, "create-node", newName(1)),
    `devstack-precise has 1 of min-ready 3; boots devstack-precise ${CURRENT}`,
  );
});

test("a label flavor wins over the provider's", () => {
  const flavored = configFromYaml(
    seedYaml({ maxServers: 20 }).replace(
      "    max-ready-age: 24h\n",
      "    max-ready-age: 24h\n    flavor: m1.big\n",
    ),
  );
  const result = planWith([], flavored);
  assert.ok(providerPlan(result).desired.newNodes.every((n) => n.flavor === "m1.big"));
});

test("new names skip names taken elsewhere, and rise above their own pool's newest round", () => {
  const twoPools = configFromYaml(`
providers:
  - { name: b-c, max-servers: 20, flavor: f }
  - { name: c, max-servers: 20, flavor: f }
images:
  - { name: img, base-image: base, setup: setup/other.sh, providers: [b-c, c] }
labels:
  - { name: a, image: img, min-ready: { b-c: 2 } }
  - { name: a-b, image: img, min-ready: { c: 1 } }
`);
  const build = (provider: string) =>
    readyBuild(twoPools, NOW - HOUR, { image: "img", provider, hostname: `img-${NOW - HOUR}` });
  const inventory = inventoryOf(NOW, {
    "b-c": {
      images: [build("b-c")],
      nodes: [node("a-b-c-7", NOW - HOUR, { provider: "b-c", label: "a", state: "in-use" })],
    },
    // Pool a-b in provider c names its nodes a-b-c-… too: a-b-c-NOW-1 exists there (its round
    // stamp is this round's: a clock that went back).
    c: {
      images: [build("c")],
      nodes: [node(`a-b-c-${NOW}-1`, NOW - HOUR, { provider: "c", label: "a-b", state: "hold" })],
    },
  });
  const result = plan(twoPools, inventory, TEST_OWNER, NOW);
  assert.deepEqual(targets(result, "create-node", "b-c"), [`a-b-c-${NOW}-2`, `a-b-c-${NOW}-3`]);
  assert.deepEqual(targets(result, "create-node", "c"), [`a-b-c-${NOW + 1}-1`]);
});

test("names of another form do not move the round stamp", () => {
  const result = planWith([
    node(`${newName(1, NOW + 50)}-old`, CURRENT, { state: "in-use" }),
    node(name(NOW + 90), CURRENT, { state: "hold" }),
  ]);
  assert.deepEqual(targets(result, "create-node"), [newName(1), newName(2), newName(3)]);
});

test("without a current build the pool cannot grow and ready nodes stay, except rejected ones", () => {
  const rejectedOld = configFromYaml(
    seedYaml({ maxServers: 20, extra: `rejected:\n  devstack-precise:\n    hpcloud-az2: [${OLD}]\n` }),
  );
  const onlyOld = inventoryOf(NOW, {
    "hpcloud-az2": {
      images: [readyBuild(config, OLD)],
      nodes: [node(name(1), OLD), node(name(2), NOW - 40 * HOUR, { createdAt: NOW - 30 * HOUR })],
    },
  });
  const result = plan(rejectedOld, onlyOld, TEST_OWNER, NOW);
  assert.equal(reasonFor(result, "delete-node", name(1)), `booted from rejected ${OLD}`);
  assert.deepEqual(
    providerPlan(result).desired.nodes.map((n) => n.name),
    [name(2)],
  );
  const pool = poolPlan(result);
  assert.equal(pool.currentVersion, undefined);
  assert.equal(pool.created, 0);
  assert.equal(pool.short, 2);
  assert.equal(pool.note, "no current build of image devstack-precise here: the pool cannot get new nodes");
});

test("nodes of a label without a pool here are drained: ready ones go, in-use and held stay", () => {
  const result = planWith([
    node("gone-hpcloud-az2-1", CURRENT, { label: "gone" }),
    node("gone-hpcloud-az2-2", CURRENT, { label: "gone", state: "in-use" }),
    node("gone-hpcloud-az2-3", CURRENT, { label: "gone", state: "building" }),
  ]);
  assert.equal(reasonFor(result, "delete-node", "gone-hpcloud-az2-1"), "label gone has no pool here");
  assert.deepEqual(targets(result, "delete-node"), ["gone-hpcloud-az2-1", "gone-hpcloud-az2-3"]);
  assert.ok(providerPlan(result).desired.nodes.some((n) => n.name === "gone-hpcloud-az2-2"));
});

test("every node of the inventory is either kept or deleted, never both", () => {
  const nodes = (["building", "ready", "in-use", "used", "hold", "failed", "deleting"] as const).map(
    (state, i) => node(name(i + 1), i % 2 === 0 ? CURRENT : OLD, { state }),
  );
  const result = planWith(nodes);
  const kept = providerPlan(result).desired.nodes.map((n) => n.name);
  const deleted = targets(result, "delete-node");
  assert.deepEqual([...kept, ...deleted].sort(), nodes.map((n) => n.name).sort());
});

test("nodes booted from a rejected build go even while building; in-use and held ones stay", () => {
  const rejected = configFromYaml(
    seedYaml({ maxServers: 20, extra: `rejected:\n  devstack-precise:\n    hpcloud-az2: [${OLD}]\n` }),
  );
  const result = planWith(
    [
      node(name(1), OLD, { state: "building" }),
      node(name(2), OLD, { state: "in-use" }),
      node(name(3), OLD, { state: "hold" }),
    ],
    rejected,
  );
  assert.equal(reasonFor(result, "delete-node", name(1)), `booted from rejected ${OLD}`);
  assert.deepEqual(
    providerPlan(result).desired.nodes.map((n) => n.name),
    [name(2), name(3)],
  );
});

test("a node still building after launch-timeout (default 1 h) is deleted; a younger one stays", () => {
  const result = planWith([
    node(name(1), CURRENT, { state: "building", createdAt: NOW - HOUR }),
    node(name(2), CURRENT, { state: "building", createdAt: NOW - HOUR + 1 }),
  ]);
  assert.equal(reasonFor(result, "delete-node", name(1)), "still building after 1.0 h, launch-timeout 1.0 h");
  assert.deepEqual(targets(result, "delete-node"), [name(1)]);
  assert.deepEqual(
    providerPlan(result).desired.nodes.map((n) => n.name),
    [name(2)],
  );
  // The stuck node no longer counts toward min-ready, so a replacement is planned for it.
  assert.deepEqual(poolPlan(result).counts, { ready: 0, building: 1, inUse: 0, held: 0, stale: 0 });
  assert.equal(poolPlan(result).deficit, 2);
});

test("launch-timeout is per provider; in-use and held nodes never time out", () => {
  const shortTimeout = configFromYaml(
    seedYaml({ maxServers: 20 }).replace("template-domain:", "launch-timeout: 10m\n    template-domain:"),
  );
  const result = planWith(
    [
      node(name(1), CURRENT, { state: "building", createdAt: NOW - 11 * 60 }),
      node(name(2), CURRENT, { state: "building", createdAt: NOW - 9 * 60 }),
      node(name(3), CURRENT, { state: "in-use", createdAt: NOW - 30 * HOUR }),
      node(name(4), CURRENT, { state: "hold", createdAt: NOW - 30 * HOUR }),
    ],
    shortTimeout,
  );
  assert.equal(
    reasonFor(result, "delete-node", name(1)),
    "still building after 11 min, launch-timeout 10 min",
  );
  assert.deepEqual(targets(result, "delete-node"), [name(1)]);
});

test("age limits on held and in-use nodes (max-hold-age, max-in-use-age)", async (t) => {
  const limits = (extra: string) =>
    configFromYaml(
      seedYaml({ minReady: 1 }).replace("    max-ready-age: 24h\n", `    max-ready-age: 24h\n${extra}`),
    );
  const VERSION = CURRENT;
  const build = (config: LoadedConfig) => readyBuild(config, VERSION);
  const at = NOW;
  const held = (name: string, hours: number, reason?: string) =>
    node(name, VERSION, {
      state: "hold",
      stateChangedAt: at - hours * HOUR,
      ...(reason ? { holdReason: reason } : {}),
    });
  const inUse = (name: string, hours: number) =>
    node(name, VERSION, { state: "in-use", stateChangedAt: at - hours * HOUR, claimedBy: "zuul:build-42" });
  const planOf = (config: LoadedConfig, nodes: PoolNode[]) =>
    plan(config, inventoryOf(at, { "hpcloud-az2": { images: [build(config)], nodes } }), TEST_OWNER, at);

  await t.test(
    "a hold past max-hold-age is released, saying how long and why it was held; a younger one stays",
    () => {
      const config = limits("    max-hold-age: 2d\n");
      const result = planOf(config, [
        held("devstack-precise-hpcloud-az2-1", 49, "flaky test 4211"),
        held("devstack-precise-hpcloud-az2-2", 47),
        node("devstack-precise-hpcloud-az2-3", VERSION),
      ]);
      assert.equal(
        reasonFor(result, "delete-node", "devstack-precise-hpcloud-az2-1"),
        "held for 49.0 h (flaky test 4211), max-hold-age 48.0 h",
      );
      assert.deepEqual(targets(result, "delete-node"), ["devstack-precise-hpcloud-az2-1"]);
    },
  );

  await t.test(
    "an in-use node past max-in-use-age is reported and stays, unless on-max-in-use-age: release",
    () => {
      const nodes = [inUse("devstack-precise-hpcloud-az2-1", 13), inUse("devstack-precise-hpcloud-az2-2", 1)];
      const reported = planOf(limits("    max-in-use-age: 12h\n"), nodes);
      assert.deepEqual(targets(reported, "delete-node"), []);
      assert.deepEqual(providerPlan(reported).pools[0]!.overdue, [
        "devstack-precise-hpcloud-az2-1: in use by zuul:build-42 for 13.0 h, max-in-use-age 12.0 h",
      ]);
      assert.match(
        formatPlan(reported).join("\n"),
        /^ {4}overdue: devstack-precise-hpcloud-az2-1: in use by zuul:build-42/m,
      );

      const released = planOf(limits("    max-in-use-age: 12h\n    on-max-in-use-age: release\n"), nodes);
      assert.deepEqual(targets(released, "delete-node"), ["devstack-precise-hpcloud-az2-1"]);
      assert.equal(providerPlan(released).pools[0]!.overdue, undefined);
    },
  );

  await t.test("without the limits, or without a recorded time, held and in-use nodes stay for ever", () => {
    const none = planOf(limits(""), [
      held("devstack-precise-hpcloud-az2-1", 1000),
      inUse("devstack-precise-hpcloud-az2-2", 1000),
    ]);
    assert.deepEqual(targets(none, "delete-node"), []);
    const noTime = planOf(limits("    max-hold-age: 1h\n"), [
      node("devstack-precise-hpcloud-az2-1", VERSION, { state: "hold" }),
    ]);
    assert.deepEqual(targets(noTime, "delete-node"), []);
  });
});
