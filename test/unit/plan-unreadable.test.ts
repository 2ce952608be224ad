// A provider that could not be read gets no actions: never delete what could not be seen.
import assert from "node:assert/strict";
import { test } from "node:test";
import { plan } from "../../src/plan/plan.js";
import { configFromYaml, seedYaml } from "../support/config-fixtures.js";
import { inventoryOf, node, readyBuild, TEST_OWNER } from "../support/plan-inventory.js";

const NOW = 1_400_000_000;
const twoProviders = configFromYaml(
  seedYaml()
    .replace("providers:\n", "providers:\n  - { name: rax-iad, max-servers: 4, flavor: f }\n")
    .replace("providers: [hpcloud-az2]", "providers: [hpcloud-az2, rax-iad]")
    .replace("      hpcloud-az2: 3\n", "      hpcloud-az2: 3\n      rax-iad: 2\n"),
);

test("an unreadable provider is flagged with its error and gets no plan at all", () => {
  const error = "rax-iad: GET https://rax/servers/detail: 503 Service Unavailable";
  const inventory = inventoryOf(NOW, {
    "hpcloud-az2": {
      images: [readyBuild(twoProviders, NOW - 3600)],
      nodes: [node("n-1", 1, { state: "used" })],
    },
    "rax-iad": { error },
  });
  const result = plan(twoProviders, inventory, TEST_OWNER, NOW);
  assert.deepEqual(result.unreadable, [{ provider: "rax-iad", error }]);
  assert.deepEqual(
    result.providers.map((p) => p.provider),
    ["hpcloud-az2"],
  );
  assert.ok(result.providers[0]!.actions.length > 0, "the readable provider is still planned");
});

test("a configured provider missing from the inventory counts as unreadable", () => {
  const inventory = inventoryOf(NOW, { "hpcloud-az2": {} });
  const result = plan(twoProviders, inventory, TEST_OWNER, NOW);
  assert.deepEqual(result.unreadable, [{ provider: "rax-iad", error: "missing from the inventory" }]);
  assert.equal(result.providers.length, 1);
});

test("the same inputs give the same plan, byte for byte", () => {
  const inventory = inventoryOf(NOW, {
    "hpcloud-az2": {
      images: [readyBuild(twoProviders, NOW - 30 * 3600)],
      nodes: [node("n-2", 1), node("n-10", 1)],
    },
    "rax-iad": {},
  });
  assert.equal(
    JSON.stringify(plan(twoProviders, inventory, TEST_OWNER, NOW)),
    JSON.stringify(plan(twoProviders, structuredClone(inventory), TEST_OWNER, NOW)),
  );
});
