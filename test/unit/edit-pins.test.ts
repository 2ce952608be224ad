import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { applyToData, editPins, type PinsEdit } from "../../src/config/edit-pins.js";
import { parse } from "../support/config-fixtures.js";

const IMAGE = "devstack-precise";
const pin = (provider: string, version: number, image = IMAGE): PinsEdit => ({
  kind: "pin",
  image,
  provider,
  version,
});
const unpin = (provider: string, image = IMAGE): PinsEdit => ({ kind: "unpin", image, provider });
const reject = (provider: string, version: number, image = IMAGE): PinsEdit => ({
  kind: "reject",
  image,
  provider,
  version,
});

function edited(text: string, edits: PinsEdit[]): string {
  const result = editPins(text, edits);
  assert.ok(result.ok, result.ok ? "" : result.error);
  return result.value;
}

function failure(text: string, edits: PinsEdit[]): string {
  const result = editPins(text, edits);
  assert.equal(result.ok, false, "expected the edit to be refused");
  return result.ok ? "" : result.error;
}

/** Lines removed (-) and added (+), by a longest-common-subsequence line diff. */
function lineDiff(before: string, after: string): string[] {
  const a = before.split("\n");
  const b = after.split("\n");
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) out.push(`+${b[j++]}`);
    else out.push(`-${a[i++]}`);
  }
  return out;
}

const REPO_FILE = readFileSync("images.yaml", "utf8");

describe("editPins on the repo's images.yaml (pins: {} and rejected: {})", () => {
  it("a revert changes only the pins and rejected lines, and the result is a valid config", () => {
    const after = edited(REPO_FILE, [pin("hpcloud-az2", 1394417686), reject("hpcloud-az2", 1394514268)]);
    assert.deepEqual(lineDiff(REPO_FILE, after), [
      "-pins: {}",
      "-rejected: {}",
      "+pins:",
      "+  devstack-precise:",
      "+    hpcloud-az2: 1394417686",
      "+rejected:",
      "+  devstack-precise:",
      "+    hpcloud-az2: [1394514268]",
    ]);
    const config = parse(after);
    assert.ok(config.ok);
    assert.deepEqual(config.value.pins, { [IMAGE]: { "hpcloud-az2": 1394417686 } });
    assert.deepEqual(config.value.rejected, { [IMAGE]: { "hpcloud-az2": [1394514268] } });
  });

  it("no edits return the text unchanged", () => {
    assert.equal(edited(REPO_FILE, []), REPO_FILE);
  });
});

describe("pins as a block map", () => {
  const text = [
    "# top comment",
    "pins:",
    "    # why: bad devstack build on 2014-03-11",
    "    devstack-precise:",
    "        hpcloud-az2: 1394417686    # the good one",
    "",
    "    other-image:",
    "        rax-iad: 17",
    "rejected: {}",
    "",
  ].join("\n");

  it("replaces an existing version in place, keeping its comment and spacing", () => {
    assert.deepEqual(lineDiff(text, edited(text, [pin("hpcloud-az2", 1394300000)])), [
      "-        hpcloud-az2: 1394417686    # the good one",
      "+        hpcloud-az2: 1394300000    # the good one",
    ]);
  });

  it("adds a provider under an existing image with that image's indent", () => {
    assert.deepEqual(lineDiff(text, edited(text, [pin("rax-iad", 5)])), ["+        rax-iad: 5"]);
  });

  it("adds a new image at the map's indent, with its own step", () => {
    const after = edited(text, [pin("rax-iad", 9, "centos-7")]);
    assert.deepEqual(lineDiff(text, after), ["+    centos-7:", "+        rax-iad: 9"]);
    assert.deepEqual(parseYaml(after).pins["centos-7"], { "rax-iad": 9 });
  });

  it("matches quoted keys", () => {
    const quoted = "pins:\n  \"devstack-precise\":\n    'hpcloud-az2': 1\n";
    assert.equal(
      edited(quoted, [pin("hpcloud-az2", 2)]),
      "pins:\n  \"devstack-precise\":\n    'hpcloud-az2': 2\n",
    );
  });

  it("fills an empty value (`pins:` or `hpcloud-az2:`) on its own line", () => {
    assert.equal(edited("pins:\nx: 1\n", [pin("p", 3)]), "pins:\n  devstack-precise:\n    p: 3\nx: 1\n");
    assert.equal(
      edited("pins:\n  devstack-precise:\n    p:\n", [pin("p", 3)]),
      "pins:\n  devstack-precise:\n    p: 3\n",
    );
  });

  it("rewrites a non-empty flow map as a block map, adding the pin", () => {
    const flow = "a: 1 # keep\npins: {devstack-precise: {rax-iad: 1}}\nb: 2\n";
    assert.equal(
      edited(flow, [pin("hpcloud-az2", 4)]),
      "a: 1 # keep\npins:\n  devstack-precise:\n    rax-iad: 1\n    hpcloud-az2: 4\nb: 2\n",
    );
  });

  it("rewrites an image's flow map in a block pins map", () => {
    const mixed = "pins:\n  devstack-precise: {rax-iad: 1}\n  other: {p: 2}\n";
    assert.equal(
      edited(mixed, [pin("hpcloud-az2", 4)]),
      "pins:\n  devstack-precise:\n    rax-iad: 1\n    hpcloud-az2: 4\n  other: {p: 2}\n",
    );
  });

  it("keeps a comment after `pins: {}`", () => {
    assert.equal(
      edited("pins: {}   # none yet\nz: 1\n", [pin("p", 1)]),
      "pins:   # none yet\n  devstack-precise:\n    p: 1\nz: 1\n",
    );
  });

  it("refuses to drop a comment inside a flow map", () => {
    assert.match(failure("pins: {a: {p: 1}, # c\n  }\n", [pin("p", 1)]), /rewrite it as a block mapping/);
  });
});

describe("no pins or rejected key", () => {
  it("appends the sections at the end, adding the missing final newline", () => {
    assert.equal(
      edited("providers: []", [pin("p", 1), reject("p", 2)]),
      "providers: []\npins:\n  devstack-precise:\n    p: 1\nrejected:\n  devstack-precise:\n    p: [2]\n",
    );
  });

  it("keeps CRLF line endings", () => {
    assert.equal(edited("a: 1\r\n", [pin("p", 1)]), "a: 1\r\npins:\r\n  devstack-precise:\r\n    p: 1\r\n");
  });

  it("works on an empty file", () => {
    assert.equal(edited("", [pin("p", 1)]), "pins:\n  devstack-precise:\n    p: 1\n");
  });

  it("quotes names YAML would read as something else", () => {
    const after = edited("", [pin("1e3", 1, "null")]);
    assert.equal(after, 'pins:\n  "null":\n    "1e3": 1\n');
    assert.deepEqual(parseYaml(after), { pins: { null: { "1e3": 1 } } });
  });
});

describe("rejected", () => {
  it("appends to a flow list, keeping the rest of the line", () => {
    const text = "rejected:\n  devstack-precise:\n    p: [1, 2]   # bad builds\n";
    assert.equal(
      edited(text, [reject("p", 3)]),
      "rejected:\n  devstack-precise:\n    p: [1, 2, 3]   # bad builds\n",
    );
  });

  it("appends to a block list with the list's indent", () => {
    const text = "rejected:\n  devstack-precise:\n    p:\n    - 1   # one\n    - 2\nz: 0\n";
    assert.deepEqual(lineDiff(text, edited(text, [reject("p", 3)])), ["+    - 3"]);
  });

  it("fills an empty list and an empty value", () => {
    assert.equal(
      edited("rejected:\n  devstack-precise:\n    p: []\n", [reject("p", 3)]).includes("p: [3]"),
      true,
    );
    assert.equal(
      edited("rejected:\n  devstack-precise:\n    p:\n", [reject("p", 3)]).includes("p: [3]"),
      true,
    );
  });

  it("leaves the text alone when the version is already rejected", () => {
    const text = "rejected:\n  devstack-precise:\n    p: [1, 3]\n";
    assert.equal(edited(text, [reject("p", 3)]), text);
  });

  it("adds a provider next to others", () => {
    const text = "rejected:\n  devstack-precise:\n    p: [1]\n";
    assert.equal(edited(text, [reject("q", 3)]), "rejected:\n  devstack-precise:\n    p: [1]\n    q: [3]\n");
  });
});

describe("unpin", () => {
  const text = [
    "pins:",
    "  devstack-precise:",
    "    hpcloud-az2: 1   # a",
    "    rax-iad: 2",
    "  other:",
    "    rax-iad: 3",
    "rejected: {}",
    "",
  ].join("\n");

  it("removes one provider's line", () => {
    assert.deepEqual(lineDiff(text, edited(text, [unpin("hpcloud-az2")])), ["-    hpcloud-az2: 1   # a"]);
  });

  it("removes the image entry when its last pin goes", () => {
    assert.deepEqual(lineDiff(text, edited(text, [unpin("rax-iad", "other")])), [
      "-  other:",
      "-    rax-iad: 3",
    ]);
  });

  it("leaves `pins: {}` when the last pin goes", () => {
    const after = edited(text, [unpin("hpcloud-az2"), unpin("rax-iad"), unpin("rax-iad", "other")]);
    assert.equal(after, "pins: {}\nrejected: {}\n");
  });

  it("removes from a flow map", () => {
    assert.equal(
      edited("pins: {devstack-precise: {p: 1, q: 2}}\n", [unpin("p")]),
      "pins:\n  devstack-precise:\n    q: 2\n",
    );
    assert.equal(
      edited("pins:\n  devstack-precise: {p: 1}\n  o:\n    p: 1\n", [unpin("p")]),
      "pins:\n  o:\n    p: 1\n",
    );
  });

  it("refuses what is not pinned, saying so", () => {
    assert.equal(failure(text, [unpin("nowhere")]), "devstack-precise is not pinned in nowhere");
    assert.equal(failure("a: 1\n", [unpin("p")]), "devstack-precise is not pinned in p");
    assert.equal(failure("pins: {}\n", [unpin("p")]), "devstack-precise is not pinned in p");
    assert.equal(
      failure("pins: {devstack-precise: {q: 1}}\n", [unpin("p")]),
      "devstack-precise is not pinned in p",
    );
  });
});

describe("refusals", () => {
  it("invalid YAML", () => {
    assert.match(failure("pins: [\n", [pin("p", 1)]), /^images.yaml is not valid YAML/);
  });

  it("a top level that is not a block mapping", () => {
    assert.match(failure("- 1\n", [pin("p", 1)]), /must be a mapping/);
    assert.match(failure("{a: 1}\n", [pin("p", 1)]), /must be a block mapping/);
  });

  it("a pins entry of the wrong type", () => {
    assert.match(failure("pins: [1]\n", [pin("p", 1)]), /pins in images.yaml must be a mapping/);
    assert.match(
      failure("pins:\n  devstack-precise:\n    p: [1]\n", [pin("p", 1)]),
      /must be a version number/,
    );
    assert.match(failure("rejected:\n  devstack-precise:\n    p: 1\n", [reject("p", 2)]), /list of versions/);
  });
});

describe("any sequence of edits", () => {
  const bases = [
    REPO_FILE,
    "# only a comment\n",
    "pins:\n    devstack-precise:\n        hpcloud-az2: 1\nrejected:\n    devstack-precise:\n        hpcloud-az2:\n        - 9\n",
    "pins: {devstack-precise: {rax-iad: 1}}\nrejected: {devstack-precise: {rax-iad: [2]}}\nz: end",
  ];
  const edit = fc.oneof(
    fc.record({
      kind: fc.constant("pin" as const),
      image: fc.constantFrom(IMAGE, "centos"),
      provider: fc.constantFrom("hpcloud-az2", "rax-iad"),
      version: fc.integer({ min: 1, max: 50 }),
    }),
    fc.record({
      kind: fc.constant("reject" as const),
      image: fc.constantFrom(IMAGE, "centos"),
      provider: fc.constantFrom("hpcloud-az2", "rax-iad"),
      version: fc.integer({ min: 1, max: 50 }),
    }),
    fc.record({
      kind: fc.constant("unpin" as const),
      image: fc.constantFrom(IMAGE, "centos"),
      provider: fc.constantFrom("hpcloud-az2", "rax-iad"),
    }),
  );

  it("gives the intended data, keeps every line outside pins and rejected, and never corrupts", () => {
    fc.assert(
      fc.property(fc.constantFrom(...bases), fc.array(edit, { maxLength: 6 }), (base, edits) => {
        let text = base;
        let data = parseYaml(base) ?? {};
        for (const one of edits) {
          const result = editPins(text, [one]);
          if (!result.ok) {
            // The only refusal on these well-formed files: unpinning what is not pinned.
            assert.equal(one.kind, "unpin");
            assert.match(result.error, /is not pinned/);
            continue;
          }
          text = result.value;
          data = applyToData(data, one);
          assert.deepEqual(parseYaml(text), data);
        }
        const outside = (t: string) =>
          t.split(/\r?\n/).filter((line) => /^[^\s#]/.test(line) && !/^(pins|rejected):/.test(line));
        assert.deepEqual(outside(text), outside(base));
      }),
      { numRuns: 300 },
    );
  });
});
