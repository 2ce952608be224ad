// Fuzz (issue 11): thousands of broken variants of the example images.yaml. The loader never
// throws, and every problem it reports has a line and a column a person can go to.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeConfigText } from "../../src/config/load.js";
import { applyMutations, mutations } from "../support/config-mutations.js";
import { parse } from "../support/config-fixtures.js";

/** The loader's steps after the disk read: strict UTF-8, then parse, schema and cross-checks. */
function load(bytes: Buffer) {
  const text = decodeConfigText(bytes, "images.yaml");
  return text.ok ? parse(text.value) : text;
}

describe("the loader on mutated images.yaml", () => {
  it("never throws, and positions every problem (4000 variants)", () => {
    let invalid = 0;
    fc.assert(
      fc.property(mutations, (list) => {
        const result = load(applyMutations(list));
        if (result.ok) return;
        invalid++;
        assert.ok(result.error.length > 0, "an invalid file has at least one problem");
        for (const issue of result.error) {
          assert.ok(issue.line >= 1 && issue.col >= 1, `positioned: ${JSON.stringify(issue)}`);
          assert.ok(issue.message.length > 0 && !issue.message.includes("undefined"), issue.message);
        }
      }),
      { numRuns: 4000, seed: 20261202 },
    );
    // The mutations must actually break files, or this test proves nothing.
    assert.ok(invalid > 2000, `${invalid} of 4000 variants were invalid`);
  });

  it("the unmutated example loads", () => {
    assert.equal(load(applyMutations([])).ok, true);
  });
});
