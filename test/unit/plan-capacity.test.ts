// max-servers: every server counts, those deleted this round too; short room is shared by deficit.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { shareCapacity, type Deficit } from "../../src/plan/capacity.js";
import { plan } from "../../src/plan/plan.js";
import { configFromYaml } from "../support/config-fixtures.js";
import { inventoryOf, node, readyBuild, template, TEST_OWNER } from "../support/plan-inventory.js";
import { imagePlan, poolPlan, providerPlan, targets } from "../support/plan-queries.js";

const NOW = 1_400_000_000;
const CURRENT = NOW - 3600;

function threeLabels(maxServers: number, minReady: [number, number, number]) {
  return configFromYaml(`
providers:
  - { name: hpcloud-az2, max-servers: ${maxServers}, flavor: m1.nodepool }
images:
  - { name: devstack-precise, base-image: ubuntu, setup: setup/prepare_devstack.sh, providers: [hpcloud-az2] }
labels:
  - { name: small, image: devstack-precise, min-ready: { hpcloud-az2: ${minReady[0]} } }
  - { name: big, image: devstack-precise, min-ready: { hpcloud-az2: ${minReady[1]} } }
  - { name: also-big, image: devstack-precise, min-ready: { hpcloud-az2: ${minReady[2]} } }
`);
}

test("short room goes to the largest deficit first, ties by label name, and the plan says so", () => {
  const config = threeLabels(20, [2, 5, 5]);
  const inUse = Array.from({ length: 14 }, (_, i) =>
    node(`x-${i}`, CURRENT, { label: "small", state: "in-use" }),
  );
  const result = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: [readyBuild(config, CURRENT)], nodes: inUse } }),
    TEST_OWNER,
    NOW,
  );
  // 6 free for deficits 2, 5, 5: levels 5,5 → 2,2 (6 used) → small 0? One at a time:
  // big/also-big take turns down to 2 (6 nodes), so small gets none.
  assert.deepEqual(
    [
      poolPlan(result, "also-big").created,
      poolPlan(result, "big").created,
      poolPlan(result, "small").created,
    ],
    [3, 3, 0],
  );
  assert.equal(poolPlan(result, "small").short, 2);
  assert.equal(poolPlan(result, "small").note, "short 2: no room left in hpcloud-az2");
  assert.match(providerPlan(result).capacity.note ?? "", /largest deficit first, ties by label name/);
  assert.equal(providerPlan(result).capacity.free, 0);
});

test("servers deleted this round still count, so replacements come next round", () => {
  const config = threeLabels(5, [4, 0, 0]);
  const nodes = [1, 2, 3].map((n) =>
    node(`small-hpcloud-az2-${n}`, CURRENT, { label: "small", state: "used" }),
  );
  const result = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: [readyBuild(config, CURRENT)], nodes } }),
    TEST_OWNER,
    NOW,
  );
  assert.equal(targets(result, "delete-node").length, 3);
  assert.equal(targets(result, "create-node").length, 2, "5 max − 3 being deleted");
  const capacity = providerPlan(result).capacity;
  assert.deepEqual([capacity.existing, capacity.deleting, capacity.newNodes, capacity.free], [3, 3, 2, 0]);
  assert.match(capacity.note ?? "", /deleted this round still count until gone/);
});

test("template servers count, existing and new; a due build comes before new nodes", () => {
  const config = threeLabels(4, [3, 0, 0]);
  const old = readyBuild(config, NOW - 30 * 3600);
  const result = plan(
    config,
    inventoryOf(NOW, {
      "hpcloud-az2": { images: [old], templates: [template(NOW - 60 * 3600, { state: "failed" })] },
    }),
    TEST_OWNER,
    NOW,
  );
  assert.equal(targets(result, "build").length, 1);
  assert.equal(
    targets(result, "create-node").length,
    2,
    "4 max − 1 failed template (still there) − 1 new template",
  );
});

test("a due build waits when the provider is full", () => {
  const config = threeLabels(2, [1, 0, 0]);
  const old = readyBuild(config, NOW - 30 * 3600);
  const nodes = [1, 2].map((n) =>
    node(`small-hpcloud-az2-${n}`, old.version, { label: "small", state: "in-use" }),
  );
  const result = plan(config, inventoryOf(NOW, { "hpcloud-az2": { images: [old], nodes } }), TEST_OWNER, NOW);
  assert.deepEqual(targets(result, "build"), []);
  assert.match(
    imagePlan(result).noBuildReason ?? "",
    /^waiting for room \(max-servers 2; due: newest ready is/,
  );
});

/** The rule as written: one node at a time to the largest remaining deficit, ties by name. */
function oneAtATime(free: number, deficits: readonly Deficit[]): Map<string, number> {
  const left = new Map(deficits.map((d) => [d.label, d.deficit]));
  const given = new Map(deficits.map((d) => [d.label, 0]));
  for (let i = 0; i < free; i++) {
    let best: string | undefined;
    for (const [label, deficit] of left)
      if (
        deficit > 0 &&
        (best === undefined || deficit > left.get(best)! || (deficit === left.get(best)! && label < best))
      )
        best = label;
    if (best === undefined) break;
    left.set(best, left.get(best)! - 1);
    given.set(best, given.get(best)! + 1);
  }
  return given;
}

test("shareCapacity gives what handing out one node at a time to the largest deficit gives", () => {
  const deficits = fc.uniqueArray(
    fc.record({ label: fc.stringMatching(/^[a-z]{1,3}$/), deficit: fc.nat(12) }),
    { selector: (d) => d.label, maxLength: 8 },
  );
  fc.assert(
    fc.property(fc.nat(60), deficits, (free, list) => {
      assert.deepEqual(shareCapacity(free, list), oneAtATime(free, list));
    }),
  );
});

test("the project's quota: never more than fits, shared fairly, and the plan names the limit", () => {
  const config = threeLabels(20, [2, 2, 2]);
  const flavors = { "m1.nodepool": { vcpus: 2, ramMb: 2048 } };
  const images = [readyBuild(config, CURRENT)];
  const planned = (quota: Parameters<typeof inventoryOf>[1][string] & object) =>
    plan(config, inventoryOf(NOW, { "hpcloud-az2": { images, flavors, ...quota } }), TEST_OWNER, NOW);

  // 98 of 100 instances used by others: 2 nodes fit, not 6; one each to the largest deficits.
  const tight = planned({ quota: { instances: { limit: 100, used: 98 } } });
  assert.equal(providerPlan(tight).capacity.newNodes, 2);
  assert.deepEqual(
    providerPlan(tight).pools.map((p) => [p.label, p.created, p.short]),
    [
      ["also-big", 1, 1],
      ["big", 1, 1],
      ["small", 0, 2],
    ],
  );
  assert.equal(providerPlan(tight).capacity.quota, "instances 100/100");
  assert.match(providerPlan(tight).capacity.note ?? "", /^quota: instances 100\/100, 4 nodes short/);
  assert.equal(poolPlan(tight, "small").note, "short 2: quota (instances 100/100) in hpcloud-az2");

  // Cores bind before instances: 5 cores left, 2 per node: 2 nodes.
  const cores = planned({ quota: { instances: { limit: 100, used: 10 }, cores: { limit: 40, used: 35 } } });
  assert.equal(providerPlan(cores).capacity.newNodes, 2);
  assert.match(providerPlan(cores).capacity.note ?? "", /quota: cores 39\/40/);

  // Room enough: the quota only shows as headroom.
  const roomy = planned({ quota: { instances: { limit: 100, used: 10 }, ramMb: { limit: 51200, used: 0 } } });
  assert.equal(providerPlan(roomy).capacity.newNodes, 6);
  assert.equal(providerPlan(roomy).capacity.quota, "instances 16/100, RAM 12288/51200 MB");
  assert.equal(providerPlan(roomy).capacity.note, undefined);

  // No quota known: max-servers alone, as before.
  assert.equal(providerPlan(planned({})).capacity.quota, undefined);
});

test("a due build waits for the quota too, and says which limit", () => {
  const config = threeLabels(20, [0, 0, 1]);
  const result = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { quota: { instances: { limit: 5, used: 5 } } } }),
    TEST_OWNER,
    NOW,
  );
  assert.deepEqual(targets(result, "build"), []);
  assert.match(
    imagePlan(result).noBuildReason ?? "",
    /^waiting for room \(quota: instances 5\/5; due: no ready build\)$/,
  );
});

test("Neutron's port quota: a node takes a port per network it boots on", () => {
  const config = configFromYaml(`
providers:
  - { name: hpcloud-az2, max-servers: 20, flavor: m1.nodepool, networks: [private, storage] }
images:
  - { name: devstack-precise, base-image: ubuntu, setup: setup/prepare_devstack.sh, providers: [hpcloud-az2] }
labels:
  - { name: small, image: devstack-precise, min-ready: { hpcloud-az2: 4 } }
`);
  const result = plan(
    config,
    inventoryOf(NOW, {
      "hpcloud-az2": { images: [readyBuild(config, CURRENT)], quota: { ports: { limit: 50, used: 45 } } },
    }),
    TEST_OWNER,
    NOW,
  );
  // 5 ports left, 2 per node: 2 nodes.
  assert.equal(providerPlan(result).capacity.newNodes, 2);
  assert.equal(providerPlan(result).capacity.quota, "ports 49/50");
  assert.equal(poolPlan(result, "small").note, "short 2: quota (ports 49/50) in hpcloud-az2");
});
