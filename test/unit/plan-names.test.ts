// New node names (src/plan/names.ts). A name is a node's Pulumi resource name, and Pulumi's
// state can hold names the inventory no longer shows: a server deleted by hand, or an `up`
// that died mid-delete. A name planned again while its URN is in state creates nothing
// (every input is frozen), so the plan would say create-node every round and the pool would
// stay short for ever. So no name may ever be planned twice, whatever vanished in between.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { plan } from "../../src/plan/plan.js";
import type { PoolNode } from "../../src/plan/inventory.js";
import { compareNatural } from "../../src/core/sort.js";
import { configFromYaml, seedYaml } from "../support/config-fixtures.js";
import { inventoryOf, node, readyBuild, TEST_OWNER } from "../support/plan-inventory.js";
import { providerPlan, targets } from "../support/plan-queries.js";

const NOW = 1_400_000_000;
const CURRENT = NOW - 7200;
const config = (minReady: number) => configFromYaml(seedYaml({ minReady, maxServers: 50 }));

/** One round: plan on what the cloud shows, return the nodes it creates as the cloud's new nodes. */
function round(minReady: number, nodes: PoolNode[], now: number): PoolNode[] {
  const cfg = config(minReady);
  const images = [readyBuild(cfg, CURRENT)];
  const result = plan(cfg, inventoryOf(now, { "hpcloud-az2": { images, nodes } }), TEST_OWNER, now);
  return providerPlan(result).desired.newNodes.map((n) =>
    node(n.name, n.imageVersion, { createdAt: now, serverId: `server-${n.name}-${now}` }),
  );
}

test("issue 12 item 6: a name whose server was deleted by hand is never planned again", () => {
  const first = round(3, [], NOW);
  assert.equal(first.length, 3);
  // Pulumi's state now holds these three names. The newest-named server is deleted by hand.
  const state = new Set(first.map((n) => n.name));
  const gone = [...state].sort(compareNatural).at(-1)!;
  const second = round(
    3,
    first.filter((n) => n.name !== gone),
    NOW + 300,
  );
  assert.equal(second.length, 1, "the pool is one short");
  assert.ok(!state.has(second[0]!.name), `${second[0]!.name} is still in Pulumi's state`);
});

test("issue 12 item 6: over many rounds, whatever disappears between them, no name comes back", () => {
  const rounds = fc.array(
    fc.record({
      gap: fc.integer({ min: 1, max: 900 }),
      minReady: fc.integer({ min: 1, max: 6 }),
      // Which of the nodes the cloud has vanish before the next round (by hand, or used
      // and deleted): Pulumi's state may keep any of their names.
      vanish: fc.array(fc.boolean(), { maxLength: 8 }),
    }),
    { minLength: 2, maxLength: 12 },
  );
  fc.assert(
    fc.property(rounds, (steps) => {
      const everPlanned = new Set<string>();
      let cloud: PoolNode[] = [];
      let now = NOW;
      for (const step of steps) {
        now += step.gap;
        const created = round(step.minReady, cloud, now);
        for (const n of created) {
          assert.ok(!everPlanned.has(n.name), `${n.name} planned twice`);
          everPlanned.add(n.name);
        }
        cloud = [...cloud, ...created].filter((_, i) => !step.vanish[i]);
      }
    }),
    { numRuns: 300 },
  );
});

test("a new name says its pool and the round that made it, and is a valid hostname", () => {
  const created = round(2, [], NOW);
  assert.deepEqual(
    created.map((n) => n.name),
    [`devstack-precise-hpcloud-az2-${NOW}-1`, `devstack-precise-hpcloud-az2-${NOW}-2`],
  );
  for (const n of created) assert.match(n.name, /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
});

test("a round stamp behind one the pool already has (a clock set back) is raised above it", () => {
  const ahead = node(`devstack-precise-hpcloud-az2-${NOW + 600}-2`, CURRENT);
  const created = round(2, [ahead], NOW);
  assert.deepEqual(
    created.map((n) => n.name),
    [`devstack-precise-hpcloud-az2-${NOW + 601}-1`],
  );
});

test("nodes named the old way (label-provider-N) stay, and new ones are named the new way", () => {
  const old = [
    node("devstack-precise-hpcloud-az2-7", CURRENT),
    node("devstack-precise-hpcloud-az2-8", CURRENT),
  ];
  const cfg = config(3);
  const result = plan(
    cfg,
    inventoryOf(NOW, { "hpcloud-az2": { images: [readyBuild(cfg, CURRENT)], nodes: old } }),
    TEST_OWNER,
    NOW,
  );
  assert.deepEqual(
    providerPlan(result).desired.nodes.map((n) => n.name),
    old.map((n) => n.name),
  );
  assert.deepEqual(targets(result, "create-node"), [`devstack-precise-hpcloud-az2-${NOW}-1`]);
});
