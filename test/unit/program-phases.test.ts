import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parsePhases, phaseRecorder } from "../../src/pulumi/phases.js";

describe("program phases", () => {
  const dir = mkdtempSync(join(tmpdir(), "phases-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("records each phase as one line that parsePhases reads back, in order", () => {
    const file = join(dir, "marks");
    const mark = phaseRecorder(file);
    mark("processStarted", 1000);
    mark("modulesLoaded", 2500);
    mark("inventoryRead", 3000);
    assert.deepEqual(parsePhases(readFileSync(file, "utf8")), [
      { phase: "processStarted", atMs: 1000 },
      { phase: "modulesLoaded", atMs: 2500 },
      { phase: "inventoryRead", atMs: 3000 },
    ]);
  });

  it("stamps the wall clock when no time is given", () => {
    const file = join(dir, "now");
    const before = Date.now();
    phaseRecorder(file)("decided");
    const [mark] = parsePhases(readFileSync(file, "utf8"));
    assert.ok(mark && mark.atMs >= before && mark.atMs <= Date.now());
  });

  it("writes nothing without a file (a plain `pulumi up`), and never throws on a bad path", () => {
    assert.doesNotThrow(() => phaseRecorder(undefined)("decided"));
    assert.doesNotThrow(() => phaseRecorder(join(dir, "missing", "dir", "file"))("decided"));
  });

  it("skips lines that are not marks", () => {
    const text = [
      '{"phase":"decided","atMs":5}',
      "not json",
      '{"phase":1,"atMs":2}',
      '{"phase":"x"}',
      "",
    ].join("\n");
    assert.deepEqual(parsePhases(text), [{ phase: "decided", atMs: 5 }]);
  });
});
