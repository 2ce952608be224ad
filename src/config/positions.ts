// Map a path in the parsed YAML document to the line and column a person should look at.
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";
import type { ConfigPath } from "./issues.js";

export interface Position {
  line: number;
  col: number;
}

function child(node: unknown, part: string | number): { key?: Node; value?: Node } | undefined {
  if (isSeq(node) && typeof part === "number") {
    const item = node.items[part];
    return item === undefined ? undefined : { value: item as Node };
  }
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === String(part)) {
        return { key: pair.key as Node, value: (pair.value ?? undefined) as Node | undefined };
      }
    }
  }
  return undefined;
}

/**
 * The position of the node at `path`, or of its key when `atKey`; when the path runs past
 * what exists (a missing key), the nearest existing ancestor.
 */
export function locate(doc: Document, lines: LineCounter, path: ConfigPath, atKey = false): Position {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const next = child(node, path[i]!);
    if (next === undefined) break;
    const last = i === path.length - 1;
    const target = last && atKey && next.key ? next.key : (next.value ?? next.key);
    if (target?.range) offset = target.range[0];
    node = next.value;
  }
  const { line, col } = lines.linePos(offset);
  return { line, col };
}
