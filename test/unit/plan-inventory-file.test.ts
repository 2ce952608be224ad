// The JSON inventory format (docs/inventory.md): what it accepts and how it reports problems.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseInventory } from "../../src/plan/inventory-file.js";

const seed = () => JSON.parse(readFileSync("test/fixtures/inventory/seed.json", "utf8"));

test("the committed example inventory is valid", () => {
  const parsed = parseInventory(JSON.stringify(seed()));
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.error.join("\n"));
  assert.equal(Object.keys(parsed.value.providers).length, 2);
});

test("an unreadable provider needs only its error; lists of a readable one default to empty", () => {
  const parsed = parseInventory(
    JSON.stringify({
      readAt: 1,
      providers: {
        a: { provider: "a", readable: false, error: "timeout" },
        b: { provider: "b", readable: true },
      },
    }),
  );
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value.providers.b, {
    provider: "b",
    readable: true,
    images: [],
    templates: [],
    requests: [],
    nodes: [],
  });
});

test("items listed under the wrong provider and duplicate node names are reported", () => {
  const inventory = seed();
  inventory.providers["rax-iad"].nodes[0].provider = "hpcloud-az2";
  inventory.providers["rax-iad"].nodes[1].name = "devstack-precise-hpcloud-az2-1";
  const parsed = parseInventory(JSON.stringify(inventory));
  assert.ok(!parsed.ok);
  assert.deepEqual(parsed.error, [
    'providers.rax-iad.nodes[0].provider: is "hpcloud-az2" but it is listed under provider "rax-iad"',
    'providers.rax-iad.nodes[1].name: node name "devstack-precise-hpcloud-az2-1" is used twice',
  ]);
});

test("unknown keys and wrong states are reported with their path", () => {
  const inventory = seed();
  inventory.providers["hpcloud-az2"].images[0].colour = "blue";
  inventory.providers["hpcloud-az2"].templates.push({ state: "weird" });
  const parsed = parseInventory(JSON.stringify(inventory));
  assert.ok(!parsed.ok);
  assert.ok(
    parsed.error.some((e) => e.startsWith("providers.hpcloud-az2.images[0]") && e.includes("colour")),
  );
  assert.ok(parsed.error.some((e) => e.startsWith("providers.hpcloud-az2.templates[0].state: ")));
});
