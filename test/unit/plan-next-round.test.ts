// nextRound: what the main job's loop reads from a plan, on plans the planner made.
import assert from "node:assert/strict";
import { test } from "node:test";
import { nextRound } from "../../src/plan/next-round.js";
import { plan } from "../../src/plan/plan.js";
import { configFromYaml, seedYaml } from "../support/config-fixtures.js";
import { inventoryOf, node, readyBuild, template, TEST_OWNER } from "../support/plan-inventory.js";

const NOW = 1_400_000_000;
const config = configFromYaml(seedYaml({ minReady: 2 }));
const current = readyBuild(config, NOW - 3600);
const readyNodes = [
  node("devstack-precise-hpcloud-az2-1", NOW - 3600, { createdAt: NOW - 600 }),
  node("devstack-precise-hpcloud-az2-2", NOW - 3600, { createdAt: NOW - 600 }),
];

test("work: the actions counted by kind, per provider, in the plan's order", () => {
  const running = template(NOW - 900, { state: "shutoff" });
  const result = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: [current], templates: [running], nodes: [readyNodes[0]!] } }),
    TEST_OWNER,
    NOW,
  );
  assert.deepEqual(nextRound(result), { kind: "work", summary: "hpcloud-az2: 1 snapshot, 1 create-node" });
});

test("waiting: nothing to do but a setup that is still running", () => {
  const running = template(NOW - 900, { state: "active" });
  const result = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: [current], templates: [running], nodes: readyNodes } }),
    TEST_OWNER,
    NOW,
  );
  assert.deepEqual(nextRound(result), {
    kind: "waiting",
    building: [`hpcloud-az2/devstack-precise-${NOW - 900}`],
  });
});

test("done: pools full, no build due or running", () => {
  const result = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: [current], nodes: readyNodes } }),
    TEST_OWNER,
    NOW,
  );
  assert.deepEqual(nextRound(result), { kind: "done" });
});

test("an unreadable provider has no actions, so it makes no work (`nodepool plan` exits 4 for it)", () => {
  const result = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { error: "hpcloud-az2: GET …/servers/detail: 503" } }),
    TEST_OWNER,
    NOW,
  );
  assert.deepEqual(nextRound(result), { kind: "done" });
});
