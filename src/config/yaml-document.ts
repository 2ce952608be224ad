// YAML text → plain data, with every way a document can go wrong turned into a positioned
// problem instead of an exception from the YAML library: syntax, duplicate keys, an alias
// with no anchor, an alias bomb, a merge key. Pure.
import { isAlias, isPair, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from "yaml";

/** Alias expansions allowed while building the data; a billion-laughs file needs millions. */
export const MAX_ALIAS_COUNT = 100;

export interface YamlProblem {
  line: number;
  col: number;
  message: string;
}

export type YamlResult =
  { ok: true; doc: Document; lines: LineCounter; data: unknown } | { ok: false; problem: YamlProblem };

export function parseYaml(text: string): YamlResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, message: string): YamlResult => ({
    ok: false,
    problem: { ...lines.linePos(offset), message },
  });
  // Only the first syntax error: the parser's later ones are mostly echoes of it.
  const syntaxError = doc.errors[0];
  if (syntaxError !== undefined) {
    return at(syntaxError.pos[0], `YAML syntax: ${syntaxError.message.split("\n")[0]}`);
  }
  const structural = structureProblem(doc);
  if (structural !== undefined) return at(structural.offset, structural.message);
  try {
    return { ok: true, doc, lines, data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch {
    // toJS throws only on alias expansion once every alias resolves (checked above).
    return at(
      firstAliasOffset(doc),
      `aliases expand to too much data (more than ${MAX_ALIAS_COUNT} expansions): write the values out`,
    );
  }
}

function structureProblem(doc: Document): { offset: number; message: string } | undefined {
  let found: { offset: number; message: string } | undefined;
  const anchors = new Set<string>();
  visit(doc, {
    Node: (_key, node) => {
      if (node.anchor) anchors.add(node.anchor);
    },
    Alias: (_key, node, path) => {
      // Anchors are seen in document order, so an alias before its anchor is unresolved, as
      // the YAML library (and the spec) would have it.
      const offset = node.range?.[0] ?? 0;
      if (!anchors.has(node.source)) {
        found = { offset, message: `alias *${node.source} has no anchor &${node.source} before it` };
        return visit.BREAK;
      }
      // Inside its own anchor, an alias makes circular data that no schema check terminates on.
      if (path.some((ancestor) => (ancestor as { anchor?: string }).anchor === node.source)) {
        found = { offset, message: `alias *${node.source} is inside the value it refers to (a loop)` };
        return visit.BREAK;
      }
    },
    Pair: (_key, pair) => {
      if (isPair(pair) && isScalar(pair.key) && pair.key.value === "<<" && isMergeValue(pair.value)) {
        found = {
          offset: (pair.key as Node).range?.[0] ?? 0,
          message:
            'merge keys ("<<: *anchor") are not supported: write the keys out (YAML 1.2 has no merge keys)',
        };
        return visit.BREAK;
      }
    },
  });
  return found;
}

/** `<<: *x` or `<<: [*x, *y]`: a merge; a key named "<<" with a plain value is just a key. */
function isMergeValue(value: unknown): boolean {
  if (isAlias(value)) return true;
  const items = (value as { items?: unknown[] } | null)?.items;
  return Array.isArray(items) && items.length > 0 && items.every((item) => isAlias(item));
}

function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias: (_key, node) => {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}
