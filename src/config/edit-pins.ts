// Change `pins` and `rejected` in images.yaml text and nothing else: comments, key order,
// quoting and blank lines elsewhere stay byte for byte, so `git diff` of a revert shows only
// the pin and rejected lines. Pure: text in, text out.
//
// Edits splice the source at the offsets the yaml parser reports; no re-serialisation of the
// document (which would normalise spacing). Every result is parsed back and compared with the
// intended data, so a splice that went wrong is an error, never a silently different file.
import { isDeepStrictEqual } from "node:util";
import { isMap, isPair, isScalar, isSeq, parse, parseDocument, type Pair, type YAMLMap } from "yaml";
import { err, ok, type Result } from "../core/result.js";
import { parseYaml } from "./yaml-document.js";

export type PinsEdit =
  /** pins.<image>.<provider> = version */
  | { kind: "pin"; image: string; provider: string; version: number }
  /** delete pins.<image>.<provider> (and the image's entry when it empties) */
  | { kind: "unpin"; image: string; provider: string }
  /** append version to rejected.<image>.<provider> unless it is there */
  | { kind: "reject"; image: string; provider: string; version: number };

type Section = "pins" | "rejected";
type Data = Record<string, unknown>;

export function editPins(text: string, edits: readonly PinsEdit[]): Result<string, string> {
  const before = parseData(text);
  if (!before.ok) return before;
  let current = text;
  for (const edit of edits) {
    const next = applyEdit(current, edit);
    if (!next.ok) return next;
    current = next.value;
  }
  const after = parseData(current);
  if (!after.ok) return err(`editing pins produced invalid YAML (a bug): ${after.error}`);
  const expected = edits.reduce(applyToData, structuredClone(before.value));
  if (!isDeepStrictEqual(after.value, expected)) {
    return err("editing pins changed more than pins and rejected (a bug); images.yaml was left alone");
  }
  return ok(current);
}

/** The same edits on plain data: what the edited text must parse to. */
export function applyToData(data: Data, edit: PinsEdit): Data {
  const section = edit.kind === "reject" ? "rejected" : "pins";
  const byImage = (isRecord(data[section]) ? data[section] : {}) as Record<string, Data>;
  const byProvider: Data = isRecord(byImage[edit.image]) ? byImage[edit.image]! : {};
  if (edit.kind === "pin") byProvider[edit.provider] = edit.version;
  if (edit.kind === "reject") {
    const list = Array.isArray(byProvider[edit.provider]) ? (byProvider[edit.provider] as unknown[]) : [];
    byProvider[edit.provider] = list.includes(edit.version) ? list : [...list, edit.version];
  }
  if (edit.kind === "unpin") delete byProvider[edit.provider];
  if (Object.keys(byProvider).length > 0) byImage[edit.image] = byProvider;
  else delete byImage[edit.image];
  data[section] = byImage;
  return data;
}

function parseData(text: string): Result<Data, string> {
  const yaml = parseYaml(text);
  if (!yaml.ok) {
    const { line, col, message } = yaml.problem;
    return err(`images.yaml is not valid YAML at ${line}:${col}: ${message}`);
  }
  const data: unknown = yaml.data ?? {};
  if (!isRecord(data)) return err("images.yaml must be a mapping");
  return ok(data);
}

function isRecord(value: unknown): value is Data {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// ---- one edit on the text -------------------------------------------------------------------

function applyEdit(text: string, edit: PinsEdit): Result<string, string> {
  const doc = parseDocument(text, { uniqueKeys: true });
  const root = doc.contents;
  if (root !== null && root !== undefined && (!isMap(root) || root.flow)) {
    return err("images.yaml's top level must be a block mapping");
  }
  const section: Section = edit.kind === "reject" ? "rejected" : "pins";
  const sectionPair = root ? findPair(root, section) : undefined;
  if (sectionPair === undefined) {
    if (edit.kind === "unpin") return err(notPinned(edit));
    return ok(appendSection(text, edit));
  }
  return editUnder(text, [{ pair: sectionPair, indent: 0 }], [section, edit.image, edit.provider], edit);
}

/** A pair on the way down from the section, with the indent of its key. */
interface Step {
  pair: Pair;
  indent: number;
}

/**
 * `chain` leads to the node at path[0..chain.length-1]; make the rest of the path hold the
 * edit. Block maps are edited in place; a flow map or an empty value is rewritten as a block
 * (only that value's text changes).
 */
function editUnder(text: string, chain: Step[], path: string[], edit: PinsEdit): Result<string, string> {
  const depth = chain.length;
  const { pair, indent } = chain.at(-1)!;
  const value = pair.value;
  const where = path.slice(0, depth).join(".");
  if (depth === path.length) {
    return edit.kind === "unpin" ? ok(removeEntry(text, chain)) : editLeaf(text, pair, edit, where);
  }
  if (isMap(value) && !value.flow && value.items.length > 0) {
    const mapIndent = indentOf(text, keyStart(value.items[0]!));
    const child = findPair(value, path[depth]!);
    if (child !== undefined)
      return editUnder(text, [...chain, { pair: child, indent: mapIndent }], path, edit);
    if (edit.kind === "unpin") return err(notPinned(edit));
    const step = Math.max(mapIndent - indent, 1);
    const lines = blockLines(nest(path.slice(depth), leafValue(edit)), mapIndent, step);
    return ok(insertLinesAfter(text, pairEnd(text, value.items.at(-1)! as Pair), lines));
  }
  if (isMap(value) || isEmpty(value)) {
    const current: unknown = isMap(value) ? value.toJSON() : {};
    if (edit.kind === "unpin" && pick(current as Data, path.slice(depth)) === undefined) {
      return err(notPinned(edit));
    }
    const data = applyToData({ [path[0]!]: nest(path.slice(1, depth), current) }, edit);
    const replacement = pick(data, path.slice(0, depth));
    if (replacement === undefined) return ok(removeEntry(text, chain));
    return replaceValue(text, pair, replacement, indent, where);
  }
  return err(`${where} in images.yaml must be a mapping`);
}

/** The edit's own entry: the pin's scalar, or the rejected list. */
function editLeaf(
  text: string,
  pair: Pair,
  edit: Exclude<PinsEdit, { kind: "unpin" }>,
  where: string,
): Result<string, string> {
  const value = pair.value;
  if (edit.kind === "pin") {
    if (isEmpty(value)) return replaceInline(text, pair, String(edit.version));
    if (!isScalar(value) || !value.range) return err(`${where} in images.yaml must be a version number`);
    return ok(splice(text, value.range[0], value.range[1], String(edit.version)));
  }
  if (isEmpty(value)) return replaceInline(text, pair, `[${edit.version}]`);
  if (!isSeq(value) || !value.range) return err(`${where} in images.yaml must be a list of versions`);
  if (value.items.some((item) => isScalar(item) && item.value === edit.version)) return ok(text);
  const last = value.items.at(-1);
  if (value.flow) {
    if (last === undefined || !isScalar(last) || !last.range) {
      return ok(splice(text, value.range[0], value.range[1], `[${edit.version}]`));
    }
    return ok(splice(text, last.range[1], last.range[1], `, ${edit.version}`));
  }
  if (!isScalar(last) || !last.range) return err(`${where} in images.yaml must be a list of versions`);
  const lineStart = startOfLine(text, last.range[0]);
  const dash = /^(\s*)-\s+$/.exec(text.slice(lineStart, last.range[0]));
  if (!dash) return err(`${where} in images.yaml: write one "- version" per line to let nodepool edit it`);
  return ok(insertLinesAfter(text, endOfLine(text, last.range[1] - 1), [`${dash[1]}- ${edit.version}`]));
}

/**
 * Delete the last pair of `chain` (a block entry). A map it leaves empty goes with it, up to
 * the section, which becomes `pins: {}` rather than disappearing.
 */
function removeEntry(text: string, chain: Step[]): string {
  let at = chain.length - 1;
  while (at > 1 && entriesOf(chain[at - 1]!.pair) === 1) at--;
  const doomed = chain[at]!.pair;
  const removed = splice(text, startOfLine(text, keyStart(doomed)), pairEnd(text, doomed), "");
  if (at > 1 || entriesOf(chain[0]!.pair) > 1) return removed;
  const colon = colonEnd(text, chain[0]!.pair);
  return splice(removed, colon, colon, " {}");
}

function entriesOf(pair: Pair): number {
  return isMap(pair.value) ? pair.value.items.length : 0;
}

// ---- text surgery ---------------------------------------------------------------------------

function appendSection(text: string, edit: PinsEdit): string {
  const section = edit.kind === "reject" ? "rejected" : "pins";
  const lines = blockLines(nest([section, edit.image, edit.provider], leafValue(edit)), 0, 2);
  return insertLinesAfter(text, text.length, lines);
}

/** Replace a pair's value (flow map, empty) with `data` as a block under the key, or `{}`. */
function replaceValue(
  text: string,
  pair: Pair,
  data: unknown,
  pairIndent: number,
  where: string,
): Result<string, string> {
  if (isRecord(data) && Object.keys(data).length === 0) return replaceInline(text, pair, "{}");
  const value = pair.value;
  let start = colonEnd(text, pair);
  let end = start;
  if ((isMap(value) || isScalar(value)) && value.range && value.range[1] > value.range[0]) {
    const source = text.slice(value.range[0], value.range[1]);
    if (source.includes("#")) return err(`${where} in images.yaml: rewrite it as a block mapping`);
    start = value.range[0];
    end = value.range[1];
    while (start > 0 && (text[start - 1] === " " || text[start - 1] === "\t")) start--;
  }
  const lines = blockLines(data as Data, pairIndent + 2, 2);
  const removed = splice(text, start, end, "");
  return ok(insertLinesAfter(removed, endOfLine(removed, start), lines));
}

/** `key:` → `key: replacement` on the key's own line (a comment after it stays). */
function replaceInline(text: string, pair: Pair, replacement: string): Result<string, string> {
  const value = pair.value;
  if ((isMap(value) || isScalar(value) || isSeq(value)) && value.range && value.range[1] > value.range[0]) {
    if (text.slice(value.range[0], value.range[1]).includes("\n")) {
      return err("a multi-line value in pins or rejected: rewrite it on one line");
    }
    return ok(splice(text, value.range[0], value.range[1], replacement));
  }
  const at = colonEnd(text, pair);
  return ok(splice(text, at, at, ` ${replacement}`));
}

function colonEnd(text: string, pair: Pair): number {
  const key = pair.key as { range?: [number, number, number] };
  const colon = text.indexOf(":", key.range![1]);
  return colon + 1;
}

function keyStart(pair: unknown): number {
  return ((pair as Pair).key as { range: [number, number, number] }).range[0];
}

/** The offset just past the line holding the end of the pair's value. */
function pairEnd(text: string, pair: Pair): number {
  const value = pair.value as { range?: [number, number, number] } | null;
  const key = pair.key as { range: [number, number, number] };
  const end = value?.range && value.range[1] > value.range[0] ? value.range[1] : key.range[1] + 1;
  return endOfLine(text, end - 1);
}

function startOfLine(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function endOfLine(text: string, offset: number): number {
  const newline = text.indexOf("\n", offset);
  return newline === -1 ? text.length : newline + 1;
}

function indentOf(text: string, offset: number): number {
  return offset - startOfLine(text, offset);
}

function insertLinesAfter(text: string, offset: number, lines: string[]): string {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const needsBreak = offset > 0 && text[offset - 1] !== "\n";
  const block = (needsBreak ? eol : "") + lines.map((line) => line + eol).join("");
  return splice(text, offset, offset, block);
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

// ---- new YAML text --------------------------------------------------------------------------

function blockLines(data: Data, indent: number, step: number): string[] {
  const pad = " ".repeat(indent);
  const lines: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (isRecord(value) && Object.keys(value).length > 0) {
      lines.push(`${pad}${plainOrQuoted(key)}:`, ...blockLines(value, indent + step, step));
    } else {
      lines.push(`${pad}${plainOrQuoted(key)}: ${inline(value)}`);
    }
  }
  return lines;
}

function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(", ")}]`;
  if (isRecord(value)) return "{}";
  if (typeof value === "string") return plainOrQuoted(value);
  return String(value);
}

/** Names are written plain unless YAML would read them as something else ("true", "1e3"). */
function plainOrQuoted(name: string): string {
  try {
    if (parse(`${name}: 0`)?.[name] === 0 && /^[A-Za-z0-9._-]+$/.test(name)) return name;
  } catch {
    // not plain: quote it
  }
  return JSON.stringify(name);
}

function nest(keys: string[], leaf: unknown): Data {
  return keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), leaf) as Data;
}

function pick(data: Data, keys: string[]): unknown {
  return keys.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), data);
}

function leafValue(edit: PinsEdit): unknown {
  return edit.kind === "reject" ? [edit.version] : edit.kind === "pin" ? edit.version : undefined;
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (isScalar(value) && value.value === null);
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find(
    (item): item is Pair => isPair(item) && isScalar(item.key) && String(item.key.value) === key,
  );
}

function notPinned(edit: { image: string; provider: string }): string {
  return `${edit.image} is not pinned in ${edit.provider}`;
}
