// Broken variants of the example images.yaml for the fuzz tests: what a hurried edit, a bad
// merge or a hostile pull request makes of it. Each variant is bytes, as a file would be.
import { readFileSync } from "node:fs";
import fc from "fast-check";

export const EXAMPLE_BYTES = readFileSync("images.yaml");
const EXAMPLE_LINES = EXAMPLE_BYTES.toString("utf8").split("\n");

const strangeValues = fc.constantFrom(
  "1e309",
  "-1",
  "0",
  "99999999999999999999999",
  "9007199254740993",
  "1.5",
  ".inf",
  "0x1F",
  "true",
  "null",
  "~",
  "[]",
  "{}",
  "[a, [b, {c: d}]]",
  "*a",
  "&a x",
  "&a [1, 2]",
  "*nope",
  "'quoted'",
  '"\\u0000"',
  "|\n  block",
  "Région ✓ 🚀",
  "\u202e\u200b",
  "/etc/passwd",
  "../../../../etc/passwd",
  "!!binary aGVsbG8=",
  "!custom x",
  "? complex",
  "- item",
  ">-",
  "@reserved",
  "`tick",
  "%TAG ! x",
);

/** One edit of the file, on lines of text or on its bytes. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }),
  fc.record({
    kind: fc.constant("indent" as const),
    at: fc.nat(),
    prefix: fc.constantFrom("", " ", "  ", "\t", "    ", "      ", " \t "),
  }),
  fc.record({ kind: fc.constant("value" as const), at: fc.nat(), value: strangeValues }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    line: fc.string({ unit: "grapheme", maxLength: 30 }),
  }),
  fc.record({ kind: fc.constant("anchor" as const), at: fc.nat(), name: fc.constantFrom("a", "b", "p") }),
  fc.record({ kind: fc.constant("byte" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
);

export type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

export const mutations = fc.array(mutation, { minLength: 1, maxLength: 6 });

export function applyMutations(list: readonly Mutation[]): Buffer {
  let lines = [...EXAMPLE_LINES];
  const bytes: { at: number; byte: number }[] = [];
  for (const m of list) {
    const i = lines.length === 0 ? 0 : m.at % lines.length;
    const line = lines[i] ?? "";
    if (m.kind === "delete") lines.splice(i, 1);
    if (m.kind === "duplicate") lines.splice(i, 0, line);
    if (m.kind === "swap") {
      const j = m.with % Math.max(lines.length, 1);
      [lines[i], lines[j]] = [lines[j] ?? "", line];
    }
    if (m.kind === "indent") lines[i] = m.prefix + line.trimStart();
    if (m.kind === "value")
      lines[i] = line.includes(":") ? `${line.slice(0, line.indexOf(":") + 1)} ${m.value}` : m.value;
    if (m.kind === "insert") lines.splice(i, 0, m.line);
    if (m.kind === "anchor") lines[i] = line.replace(/: (\S)/, `: &${m.name} $1`);
    if (m.kind === "byte") bytes.push({ at: m.at, byte: m.byte });
    lines = lines.filter((l) => l !== undefined);
  }
  let out = Buffer.from(lines.join("\n"), "utf8");
  for (const { at, byte } of bytes) {
    const where = out.length === 0 ? 0 : at % out.length;
    out = Buffer.concat([out.subarray(0, where), Buffer.from([byte]), out.subarray(where)]);
  }
  return out;
}
