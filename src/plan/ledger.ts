// What one provider's round does and leaves alone, as it is decided: every action on an
// existing item goes through here, so ownership (ownership.ts) is applied in one place. An
// item this stack may not touch becomes a leftAlone entry saying what its owner's plan would do.
import type { ImageBuild, PoolNode, TemplateServer } from "./inventory.js";
import { buildOwnership, nodeOwnership, templateOwnership, type Ownership } from "./ownership.js";
import type { Removal } from "./progress.js";
import { compareActions, compareLeftAlone } from "./sort.js";
import type { Action, LeftAlone } from "./types.js";

export const buildTarget = (item: { image: string; version: number }) => `${item.image} ${item.version}`;

export class Ledger {
  private readonly actions: Action[] = [];
  private readonly alone: LeftAlone[] = [];

  constructor(
    private readonly provider: string,
    /** The planning stack's owner; undefined: every stack's round at once. */
    readonly stack: string | undefined,
  ) {}

  /** The owner new items get: the planning stack (null when planning for every stack). */
  get newOwner(): string | null {
    return this.stack ?? null;
  }

  /** An action on something new (a build, a node, a dead request): always this round's. */
  add(kind: Action["kind"], target: string, reason: string): void {
    this.actions.push({ kind, provider: this.provider, owner: this.newOwner, target, reason });
  }

  /** Something that stays: nothing to do, but another owner's is named as left alone. */
  keep(kind: LeftAlone["kind"], target: string, owned: Ownership): void {
    this.leave(kind, target, owned, "kept");
  }

  removeBuild({ item, reason }: Removal<ImageBuild>): void {
    this.act("delete-image", "image", buildTarget(item), buildOwnership(item, this.stack), reason);
  }

  removeTemplate({ item, reason }: Removal<TemplateServer>): void {
    this.act("delete-template", "template", buildTarget(item), templateOwnership(item, this.stack), reason);
  }

  removeNode({ item, reason }: Removal<PoolNode>): void {
    this.act("delete-node", "node", item.name, nodeOwnership(item, this.stack), reason);
  }

  snapshot(template: TemplateServer, reason: string): void {
    this.act("snapshot", "template", buildTarget(template), templateOwnership(template, this.stack), reason);
  }

  /** Of the actions so far, how many delete servers (their room is free only next round). */
  serversDeleted(): number {
    return this.actions.filter((a) => a.kind === "delete-node" || a.kind === "delete-template").length;
  }

  sortedActions(): Action[] {
    return [...this.actions].sort(compareActions);
  }

  sortedLeftAlone(): LeftAlone[] {
    return [...this.alone].sort(compareLeftAlone);
  }

  private act(
    kind: Action["kind"],
    leftKind: LeftAlone["kind"],
    target: string,
    owned: Ownership,
    reason: string,
  ) {
    if (owned.ours) this.actions.push({ kind, provider: this.provider, owner: owned.owner, target, reason });
    else this.leave(leftKind, target, owned, `its owner's plan would ${kind}: ${reason}`);
  }

  private leave(kind: LeftAlone["kind"], target: string, owned: Ownership, would: string): void {
    if (owned.ours) return;
    // A template to snapshot is also kept: one entry, the one that says what would happen.
    if (this.alone.some((l) => l.kind === kind && l.target === target)) return;
    this.alone.push({
      kind,
      provider: this.provider,
      target,
      owner: owned.owner,
      reason: `${owned.why}; ${would}`,
    });
  }
}
