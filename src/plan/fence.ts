// Which nodes a round deletes, and which of them it must take away from claims first (issue 12).
// A round reads the inventory, spends its creates, and deletes; a job that claimed one of the
// nodes it drops in that window would lose its node mid-job. So every node the round deletes
// that a claim could still take (ready, or booting into ready) is fenced first: its port lock
// taken and its state set to deleting (src/nodes/fence.ts). Pure.
import { compareNatural } from "../core/sort.js";
import type { Inventory, PoolNode } from "./inventory.js";
import type { Plan } from "./types.js";

const CLAIMABLE = new Set<PoolNode["state"]>(["ready", "building"]);

/**
 * The nodes this plan drops: its delete-node actions (only ever the planning stack's own,
 * ownership.ts), as the inventory's records, sorted by provider and name.
 */
export function nodesDropped(plan: Plan, inventory: Inventory): PoolNode[] {
  const dropped: PoolNode[] = [];
  for (const providerPlan of plan.providers) {
    const read = inventory.providers[providerPlan.provider];
    if (read === undefined || !read.readable) continue;
    const doomed = new Set(providerPlan.actions.filter((a) => a.kind === "delete-node").map((a) => a.target));
    for (const node of read.nodes) if (doomed.has(node.name)) dropped.push(node);
  }
  return dropped.sort((a, b) => compareNatural(a.provider, b.provider) || compareNatural(a.name, b.name));
}

/**
 * Of the nodes this plan drops, those no claim can take (used, failed, already deleting): they
 * need no fence, so the reconciler deletes them as soon as a look sees them, even while a round
 * runs, instead of leaving them to the next round's deletes.
 */
export function nodesToDeleteNow(plan: Plan, inventory: Inventory): PoolNode[] {
  return nodesDropped(plan, inventory).filter((node) => !CLAIMABLE.has(node.state));
}

/** Of the nodes this plan drops, those a job could claim: fenced before anything is declared. */
export function nodesToFence(plan: Plan, inventory: Inventory): PoolNode[] {
  return nodesDropped(plan, inventory).filter((node) => CLAIMABLE.has(node.state));
}
