// The operator page's "Bad Images" walk-through, step by step.
import assert from "node:assert/strict";
import { test } from "node:test";
import { plan } from "../../src/plan/plan.js";
import type { ImageBuild } from "../../src/plan/inventory.js";
import { configFromYaml, seedYaml } from "../support/config-fixtures.js";
import { inventoryOf, node, readyBuild, TEST_OWNER } from "../support/plan-inventory.js";
import {
  imagePlan,
  keptVersions,
  poolPlan,
  providerPlan,
  reasonFor,
  targets,
} from "../support/plan-queries.js";

const PREVIOUS = 1394417686;
const CURRENT = 1394514268;
/** 0.75 h after CURRENT started; PREVIOUS became ready 26.83 h before. */
const NOW = CURRENT + 2700;
const rejectCurrent = `rejected:\n  devstack-precise:\n    hpcloud-az2: [${CURRENT}]\n`;

function seedBuilds(config: ReturnType<typeof configFromYaml>): ImageBuild[] {
  return [readyBuild(config, PREVIOUS, { createdAt: NOW - 96588 }), readyBuild(config, CURRENT)];
}

test("seed: the newest ready build is current and the one before it is previous", () => {
  const config = configFromYaml(seedYaml());
  const result = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: seedBuilds(config) } }),
    TEST_OWNER,
    NOW,
  );
  assert.equal(imagePlan(result).currentVersion, CURRENT);
  assert.equal(imagePlan(result).previousVersion, PREVIOUS);
  assert.deepEqual(keptVersions(result), [PREVIOUS, CURRENT]);
  assert.deepEqual(targets(result, "delete-image"), []);
  assert.deepEqual(targets(result, "build"), [], "the current build is 0.75 h old");
});

test("seed: after rejecting the current build the previous one is current, and the bad one goes", () => {
  const config = configFromYaml(seedYaml({ extra: rejectCurrent }));
  const nodes = [
    node("devstack-precise-hpcloud-az2-6", CURRENT, { createdAt: NOW - 600 }),
    node("devstack-precise-hpcloud-az2-7", CURRENT, { createdAt: NOW - 500 }),
    node("devstack-precise-hpcloud-az2-2", PREVIOUS, { state: "in-use" }),
  ];
  const result = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: seedBuilds(config), nodes } }),
    TEST_OWNER,
    NOW,
  );

  assert.equal(imagePlan(result).currentVersion, PREVIOUS);
  assert.deepEqual(keptVersions(result), [PREVIOUS]);
  assert.equal(reasonFor(result, "delete-image", `devstack-precise ${CURRENT}`), "rejected in images.yaml");
  assert.deepEqual(targets(result, "delete-node"), [
    "devstack-precise-hpcloud-az2-6",
    "devstack-precise-hpcloud-az2-7",
  ]);
  assert.equal(
    reasonFor(result, "delete-node", "devstack-precise-hpcloud-az2-7"),
    `booted from rejected ${CURRENT}`,
  );
  const created = providerPlan(result).desired.newNodes;
  assert.ok(created.length > 0);
  for (const n of created) assert.equal(n.imageVersion, PREVIOUS);
  assert.deepEqual(
    providerPlan(result).desired.nodes.map((n) => n.name),
    ["devstack-precise-hpcloud-az2-2"],
    "the in-use node stays, whatever it was booted from",
  );
  // The fallback is old, so a fresh build starts now.
  assert.deepEqual(targets(result, "build"), [`devstack-precise ${NOW}`]);
});

test("seed: when the next build is ready it is current and the fallback is kept as previous", () => {
  const config = configFromYaml(seedYaml({ extra: rejectCurrent }));
  const next = NOW; // the build started in the step above
  const later = next + 3 * 3600;
  const images = [readyBuild(config, PREVIOUS, { createdAt: NOW - 96588 }), readyBuild(config, next)];
  const result = plan(config, inventoryOf(later, { "hpcloud-az2": { images } }), TEST_OWNER, later);

  assert.equal(imagePlan(result).currentVersion, next);
  assert.equal(imagePlan(result).previousVersion, PREVIOUS);
  assert.deepEqual(keptVersions(result), [PREVIOUS, next]);
  assert.deepEqual(targets(result, "delete-image"), []);
  assert.equal(poolPlan(result).currentVersion, next);
});

test("seed: one more daily build later, the old fallback is finally older than the 2 kept", () => {
  const config = configFromYaml(seedYaml({ extra: rejectCurrent }));
  const day = 24 * 3600;
  const images = [readyBuild(config, PREVIOUS), readyBuild(config, NOW), readyBuild(config, NOW + day)];
  const later = NOW + day + 3600;
  const result = plan(config, inventoryOf(later, { "hpcloud-az2": { images } }), TEST_OWNER, later);
  assert.equal(imagePlan(result).currentVersion, NOW + day);
  assert.equal(imagePlan(result).previousVersion, NOW);
  assert.equal(reasonFor(result, "delete-image", `devstack-precise ${PREVIOUS}`), "older than the 2 kept");
});
