// Which stack may act on what it sees (issue 14): the one rule behind "a stack declares, keeps
// and deletes only what it created". Every server and snapshot a stack creates carries its
// `nodepool:owner` as nodepool_stack; a stack's round never touches another's, so two stacks
// can share a cloud, and a server a person made is nobody's to delete. A snapshot made outside
// Pulumi (no owner recorded, e.g. uploaded by hand to seed a pool) is adopted by the stack
// that plans it. A plan made for no stack in particular acts as each item's owner would.
import type { ImageBuild, PoolNode, TemplateServer } from "./inventory.js";
import type { LeftAlone } from "./types.js";

export type OwnedKind = LeftAlone["kind"];

/** Whose an item is, for a round of `stack`: the owner it will carry, or why not ours. */
export type Ownership =
  { ours: true; owner: string | null } | { ours: false; owner: string | null; why: string };

export function ownership(
  kind: OwnedKind,
  recorded: string | undefined,
  stack: string | undefined,
): Ownership {
  if (recorded === undefined) {
    if (kind === "image") return { ours: true, owner: stack ?? null };
    return { ours: false, owner: null, why: "made outside nodepool's stacks: nobody's to change" };
  }
  if (stack === undefined || recorded === stack) return { ours: true, owner: recorded };
  return { ours: false, owner: recorded, why: `stack ${recorded}'s: only that stack changes it` };
}

export const buildOwnership = (build: ImageBuild, stack: string | undefined) =>
  ownership("image", build.stack, stack);
export const templateOwnership = (template: TemplateServer, stack: string | undefined) =>
  ownership("template", template.stack, stack);
export const nodeOwnership = (node: PoolNode, stack: string | undefined) =>
  ownership("node", node.stack, stack);
