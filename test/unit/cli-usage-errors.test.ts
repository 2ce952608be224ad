// Issue 11, part 3: every user mistake ends in one clear message and the README's exit code
// (1 invalid input or failed work, 2 wrong usage, 4 a cloud unreadable), never a stack trace.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { main } from "../../src/cli/main.js";
import { parseWholeNumber } from "../../src/cli/numbers.js";
import { captureIo } from "../support/capture-io.js";
import { IMAGE } from "../support/git-repo.js";

const SEED = "test/fixtures/inventory/seed.json";
const NOW = "1394516968";

async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe("a number that does not parse is echoed as typed (exit 2)", () => {
  const NOT_WHOLE = ["abc", "1e3", "12abc", "0x10", "1.5", "-5", " 7", "+7", "9007199254740992"];

  it("plan --now", async () => {
    for (const typed of [...NOT_WHOLE, "0"]) {
      const result = await run("plan", "-i", SEED, "--now", typed);
      assert.equal(result.code, 2, typed);
      assert.equal(
        result.stderr.split("\n")[0],
        `nodepool: --now must be a positive whole number of Unix seconds, got ${JSON.stringify(typed)}`,
      );
      assert.equal(result.stdout, "");
    }
    assert.equal((await run("plan", "-i", SEED, "--now", NOW)).code, 0, "a whole number passes");
  });

  it("node claim --wait and --start-at", async () => {
    for (const typed of NOT_WHOLE) {
      const wait = await run("node", "claim", "L", "--wait", typed);
      assert.equal(wait.code, 2, typed);
      assert.match(wait.stderr, /^nodepool: --wait must be a whole number of seconds, got "/);
      assert.ok(wait.stderr.includes(`got ${JSON.stringify(typed)}`), wait.stderr);
      const startAt = await run("node", "claim", "L", "--start-at", typed);
      assert.equal(startAt.code, 2, typed);
      assert.ok(
        startAt.stderr.startsWith(
          `nodepool: --start-at must be a positive whole number of Unix milliseconds, got ${JSON.stringify(typed)}`,
        ),
        startAt.stderr,
      );
    }
    // 0 is a whole number of seconds: the claim goes on, to the label images.yaml lacks.
    const zero = await run("node", "claim", "L", "--wait", "0");
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /^nodepool node claim: no label "L" in images.yaml/);
  });

  it("pin IMAGE VERSION", async () => {
    for (const typed of [...NOT_WHOLE, "0"]) {
      const result = await run("pin", IMAGE, typed, "-i", SEED);
      assert.equal(result.code, 2, typed);
      assert.equal(
        result.stderr.split("\n")[0],
        `nodepool: VERSION must be a build version (Unix seconds, like 1394417686), got ${JSON.stringify(typed)}`,
      );
    }
  });

  it("parseWholeNumber takes plain decimal digits within 2^53 only", () => {
    assert.equal(parseWholeNumber("0"), 0);
    assert.equal(parseWholeNumber("007"), 7);
    assert.equal(parseWholeNumber("9007199254740991"), Number.MAX_SAFE_INTEGER);
    for (const text of ["", "9007199254740992", "1e3", "0x10", "0b1", "1_000", "١٢", "5\n", "Infinity"]) {
      assert.equal(parseWholeNumber(text), undefined, JSON.stringify(text));
    }
  });
});
