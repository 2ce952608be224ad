// Stable, locale-free ordering so two plans of the same state print and serialise the same,
// and node-10 sorts after node-9.
import type { Action, ActionKind } from "./types.js";

const DIGITS = /(\d+)/;

/** Compares strings piecewise, runs of digits by value: "a-9" < "a-10". */
export function compareNatural(a: string, b: string): number {
  if (a === b) return 0;
  const left = a.split(DIGITS);
  const right = b.split(DIGITS);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const x = left[i]!;
    const y = right[i]!;
    if (x === y) continue;
    // split() with a capture group puts digit runs at odd indexes.
    if (i % 2 === 1) {
      const byValue = Number(x) - Number(y);
      if (byValue !== 0) return byValue;
    }
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/** Builds first (they take longest), then deletions that free room, then creations. */
const KIND_ORDER: Record<ActionKind, number> = {
  build: 0,
  "delete-template": 1,
  "delete-image": 2,
  "delete-node": 3,
  "create-node": 4,
};

export function compareActions(a: Action, b: Action): number {
  return (
    compareNatural(a.provider, b.provider) ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    compareNatural(a.target, b.target)
  );
}

export const byName = <T extends { name: string }>(a: T, b: T) => compareNatural(a.name, b.name);
