// The natural order the plan uses everywhere: digit runs by value, the rest by code point.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { compareNatural } from "../../src/core/sort.js";

test("digit runs compare by value", () => {
  const names = ["node-10", "node-9", "node-1", "node-100", "node-2", "node-1a", "node-", "nodf"];
  assert.deepEqual([...names].sort(compareNatural), [
    "node-",
    "node-1",
    "node-1a",
    "node-2",
    "node-9",
    "node-10",
    "node-100",
    "nodf",
  ]);
  assert.ok(compareNatural("a-007", "a-7") !== 0, "different strings never compare equal");
  assert.equal(compareNatural("same-3", "same-3"), 0);
});

test("compareNatural is a total order: antisymmetric and transitive", () => {
  const text = fc.stringMatching(/^[a-c0-2-]{0,6}$/);
  fc.assert(
    fc.property(text, text, text, (a, b, c) => {
      assert.equal(Math.sign(compareNatural(a, b)) + Math.sign(compareNatural(b, a)), 0);
      assert.equal(compareNatural(a, b) === 0, a === b);
      if (compareNatural(a, b) < 0 && compareNatural(b, c) < 0) assert.ok(compareNatural(a, c) < 0);
    }),
    { numRuns: 2000 },
  );
});
