// Which nodes a round must take away from claims before it declares anything (issue 12).
// A round reads the inventory, spends its creates, and deletes last; a job that claimed one of
// the nodes it drops in that window would lose its node mid-job. So every node the round
// deletes that a claim could still take (ready, or booting into ready) is fenced first: its
// port lock taken and its state set to deleting (src/nodes/fence.ts). Pure.
import type { Inventory, PoolNode } from "./inventory.js";
import type { Plan } from "./types.js";

const CLAIMABLE = new Set<PoolNode["state"]>(["ready", "building"]);

/** Nodes of `stack` (the only ones its round deletes) that this plan drops and a job could claim. */
export function nodesToFence(plan: Plan, inventory: Inventory, stack: string): PoolNode[] {
  const doomed: PoolNode[] = [];
  for (const providerPlan of plan.providers) {
    const read = inventory.providers[providerPlan.provider];
    if (read === undefined || !read.readable) continue;
    const kept = new Set(providerPlan.desired.nodes.map((node) => node.serverId));
    for (const node of read.nodes) {
      if (node.stack === stack && CLAIMABLE.has(node.state) && !kept.has(node.serverId)) doomed.push(node);
    }
  }
  return doomed.sort((a, b) => (a.provider + a.name < b.provider + b.name ? -1 : 1));
}
