// YAML that the library would throw on, or read silently wrong (issue 11): each case is a
// positioned problem (file:line:col) or is read correctly, never an exception.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { main } from "../../src/cli/main.js";
import { formatIssue } from "../../src/config/issues.js";
import { loadConfig } from "../../src/config/load.js";
import { captureIo } from "../support/capture-io.js";
import { parse } from "../support/config-fixtures.js";

const EXAMPLE = readFileSync("images.yaml", "utf8");

function problems(text: string): string[] {
  const parsed = parse(text);
  return parsed.ok ? [] : parsed.error.map(formatIssue);
}

function writeTemp(content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), "nodepool-yaml-"));
  const file = join(dir, "images.yaml");
  writeFileSync(file, content);
  return file;
}

const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
  "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
  "providers: [*e]",
].join("\n");

describe("YAML that used to throw or mislead", () => {
  it("an alias with no anchor is a positioned problem (cloud: *nope)", () => {
    const text = EXAMPLE.replace("cloud: hpcloud-az2 ", "cloud: *nope      ");
    assert.deepEqual(problems(text), ["images.yaml:9:12: alias *nope has no anchor &nope before it"]);
  });

  it("an alias before its anchor is unresolved too", () => {
    assert.deepEqual(problems("a: *x\nb: &x 1\n"), ["images.yaml:1:4: alias *x has no anchor &x before it"]);
  });

  it("an alias bomb (billion laughs) is refused at its first alias, quickly", () => {
    const started = Date.now();
    assert.deepEqual(problems(BILLION_LAUGHS), [
      "images.yaml:2:8: aliases expand to too much data (more than 100 expansions): write the values out",
    ]);
    assert.ok(Date.now() - started < 5000);
  });

  it("an alias inside the value it names (a loop) is refused", () => {
    assert.deepEqual(problems("providers: &p [*p]\n"), [
      "images.yaml:1:16: alias *p is inside the value it refers to (a loop)",
    ]);
  });

  it("a few aliases are fine: an anchored network list used by two providers", () => {
    const text = EXAMPLE.replace("networks: [private]", "networks: &nets [private]").replace(
      "networks: [private]",
      "networks: *nets",
    );
    assert.notEqual(text, EXAMPLE);
    const parsed = parse(text);
    assert.ok(parsed.ok, problems(text).join("\n"));
    assert.deepEqual(
      parsed.value.providers.map((p) => p.networks),
      [["private"], ["private"]],
    );
  });

  it("a merge key gets one clear message, not 'missing required key'", () => {
    const text = EXAMPLE.replace(
      "  - name: rax-iad\n    cloud: rax-iad\n    region: RegionOne\n    max-servers: 6\n    flavor: m1.nodepool\n",
      "  - <<: *hp\n    name: rax-iad\n    max-servers: 6\n",
    ).replace("  - name: hpcloud-az2\n", "  - &hp\n    name: hpcloud-az2\n");
    assert.notEqual(text, EXAMPLE);
    assert.deepEqual(problems(text), [
      'images.yaml:18:5: merge keys ("<<: *anchor") are not supported: write the keys out (YAML 1.2 has no merge keys)',
    ]);
  });

  it("a duplicate key is a positioned problem", () => {
    const text = EXAMPLE.replace("    max-servers: 8 ", "    max-servers: 8\n    max-servers: 9 ");
    assert.deepEqual(problems(text), ["images.yaml:12:5: YAML syntax: Map keys must be unique"]);
  });
});

describe("bytes of images.yaml", () => {
  it("a byte that is not UTF-8 is refused at its position, never read as U+FFFD", () => {
    const bytes = Buffer.from(EXAMPLE.replace("region: RegionOne", "region: R\xe9gionOne"), "latin1");
    const loaded = loadConfig(writeTemp(bytes));
    assert.equal(loaded.ok, false);
    assert.deepEqual(!loaded.ok && loaded.error.map((i) => [i.line, i.col, i.message]), [
      [10, 14, "not UTF-8 text: byte 0xE9 at line 10, column 14 (save the file as UTF-8)"],
    ]);
  });

  it("the first bad byte's column counts the valid multibyte characters before it", () => {
    const bytes = Buffer.concat([Buffer.from("# café ñ\n# ok\n# x", "utf8"), Buffer.from([0xc3, 0x28])]);
    const loaded = loadConfig(writeTemp(bytes));
    assert.deepEqual(!loaded.ok && [loaded.error[0]!.line, loaded.error[0]!.col], [3, 4]);
  });

  it("overlong encodings and encoded surrogates are not UTF-8 either", () => {
    for (const bad of [
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
    ]) {
      const loaded = loadConfig(writeTemp(Buffer.concat([Buffer.from("a: "), Buffer.from(bad)])));
      assert.deepEqual(!loaded.ok && [loaded.error[0]!.line, loaded.error[0]!.col], [1, 4], String(bad));
    }
  });

  it("a UTF-8 byte-order mark is accepted", () => {
    const loaded = loadConfig(writeTemp(`\uFEFF${EXAMPLE}`.replace("setup: setup/", "setup: ")));
    // The script is not beside the temp file: the only problem is that, so the BOM parsed.
    assert.deepEqual(!loaded.ok && loaded.error.map((i) => i.path), ["images[0].setup"]);
  });

  it("validate --json prints a JSON result for each of these, exit 1, no stack trace", async () => {
    const cases = [
      EXAMPLE.replace("cloud: hpcloud-az2", "cloud: *nope"),
      BILLION_LAUGHS,
      Buffer.from("a: \xff\n", "latin1"),
      "a: 1\na: 2\n",
    ];
    for (const content of cases) {
      const file = writeTemp(content);
      const io = captureIo();
      assert.equal(await main(["validate", "--json", "--file", file], io), 1);
      const result = JSON.parse(io.stdout()) as { valid: boolean; issues: { line: number; col: number }[] };
      assert.equal(result.valid, false);
      assert.ok(result.issues.every((issue) => issue.line > 0 && issue.col > 0));
    }
  });
});
