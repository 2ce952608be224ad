// What a plan says about the next `pulumi up` round, for a loop that runs rounds the way a
// schedule does (the main job): there is work, or only a build's setup to wait for, or nothing.
import type { Action, Plan } from "./types.js";

export type NextRound =
  /** Actions to take: "hpcloud-az2: 1 snapshot; rax-iad: 1 delete-template, 2 create-node". */
  | { kind: "work"; summary: string }
  /** No actions, but builds whose setup is running: "hpcloud-az2/devstack-precise-1795796032". */
  | { kind: "waiting"; building: string[] }
  | { kind: "done" };

export function nextRound(plan: Plan): NextRound {
  const work = plan.providers
    .filter((p) => p.actions.length > 0)
    .map((p) => `${p.provider}: ${countByKind(p.actions)}`);
  if (work.length > 0) return { kind: "work", summary: work.join("; ") };
  const building = plan.providers.flatMap((p) =>
    p.images
      .filter((i) => i.buildingVersion !== undefined)
      .map((i) => `${p.provider}/${i.image}-${i.buildingVersion}`),
  );
  return building.length > 0 ? { kind: "waiting", building } : { kind: "done" };
}

/** "1 snapshot, 3 create-node", in the plan's action order. */
function countByKind(actions: readonly Action[]): string {
  const counts = new Map<string, number>();
  for (const action of actions) counts.set(action.kind, (counts.get(action.kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => `${count} ${kind}`).join(", ");
}
