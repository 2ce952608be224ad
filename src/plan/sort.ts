// The order of a plan's actions (names compare by core/sort.ts).
import { compareNatural } from "../core/sort.js";
import type { Action, ActionKind, LeftAlone } from "./types.js";

const KIND_ORDER: Record<ActionKind, number> = {
  build: 0,
  snapshot: 1,
  "delete-template": 2,
  "delete-image": 3,
  "delete-node": 4,
  "create-node": 5,
  "delete-request": 6,
};

export function compareActions(a: Action, b: Action): number {
  return (
    compareNatural(a.provider, b.provider) ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    compareNatural(a.target, b.target)
  );
}

const LEFT_ALONE_ORDER: Record<LeftAlone["kind"], number> = { template: 0, image: 1, node: 2 };

export function compareLeftAlone(a: LeftAlone, b: LeftAlone): number {
  return (
    compareNatural(a.provider, b.provider) ||
    LEFT_ALONE_ORDER[a.kind] - LEFT_ALONE_ORDER[b.kind] ||
    compareNatural(a.target, b.target)
  );
}
