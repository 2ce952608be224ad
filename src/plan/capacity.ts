// Sharing a provider's free room among pools when it cannot fill every deficit.
//
// max-servers counts every server nodepool owns in the provider: template servers, and nodes
// in any state. Servers this round deletes still count: in a `pulumi up` the creates of new
// names run in parallel with the deletes of undeclared resources, so their room is not free
// until the next round. A pool that lost nodes to replacement therefore refills one round
// later, but max-servers is never exceeded, even for a moment.
import { compareNatural } from "../core/sort.js";
import type { CapacityPlan, PoolPlan } from "./types.js";

export interface Deficit {
  label: string;
  deficit: number;
}

export interface Demand {
  label: string;
  /** min-ready's part of the pool's deficit (PoolPlan.deficit − requestDeficit). */
  minReadyDeficit: number;
  /** When each unserved request was made, oldest first: one node each. */
  requestTimes: readonly number[];
}

/**
 * Shares `free` room among pools: waiting requests first, then min-ready. Requests are served
 * in turns, every label with one waiting getting one node per turn (fair: a burst of one
 * label's jobs does not starve another's), and within a turn the label whose request waits
 * longest first, ties by label name. What is left fills min-ready deficits as shareCapacity
 * does.
 */
export function shareDemand(free: number, demands: readonly Demand[]): Map<string, number> {
  const shares = new Map(demands.map((d) => [d.label, 0]));
  const turns = demands.flatMap((d) => d.requestTimes.map((at, turn) => ({ label: d.label, at, turn })));
  turns.sort((a, b) => a.turn - b.turn || a.at - b.at || compareNatural(a.label, b.label));
  let left = Math.max(0, free);
  for (const { label } of turns.slice(0, left)) shares.set(label, shares.get(label)! + 1);
  left -= Math.min(left, turns.length);
  const buffers = shareCapacity(
    left,
    demands.map((d) => ({ label: d.label, deficit: d.minReadyDeficit })),
  );
  for (const [label, count] of buffers) shares.set(label, shares.get(label)! + count);
  return shares;
}

/**
 * Hands out `free` nodes one at a time to the pool with the largest remaining deficit, ties
 * by label name, computed in one pass: every pool is brought down to a common level, and
 * what is left goes to the pools at that level in name order.
 */
export function shareCapacity(free: number, deficits: readonly Deficit[]): Map<string, number> {
  const shares = new Map(deficits.map((d) => [d.label, 0]));
  const total = deficits.reduce((sum, d) => sum + d.deficit, 0);
  if (free >= total) {
    for (const d of deficits) shares.set(d.label, d.deficit);
    return shares;
  }
  if (free <= 0) return shares;
  // The lowest level such that bringing every deficit down to it needs no more than `free`.
  const above = (level: number) => deficits.reduce((sum, d) => sum + Math.max(0, d.deficit - level), 0);
  let low = 0;
  let high = Math.max(...deficits.map((d) => d.deficit));
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (above(middle) <= free) high = middle;
    else low = middle + 1;
  }
  const level = low;
  let left = free - above(level);
  const atLevel = deficits
    .filter((d) => d.deficit >= level && level > 0)
    .map((d) => d.label)
    .sort(compareNatural);
  for (const d of deficits) shares.set(d.label, Math.max(0, d.deficit - level));
  for (const label of atLevel) {
    if (left === 0) break;
    shares.set(label, shares.get(label)! + 1);
    left--;
  }
  return shares;
}

/** What the plan says when pools come up short: the shares, and why room is missing. */
export function capacityNote(
  capacity: CapacityPlan,
  short: readonly PoolPlan[],
  quotaShort?: string,
): string {
  const shared = short.map((p) => `${p.label} +${p.created} (short ${p.short})`).join(", ");
  const missing = short.reduce((sum, p) => sum + p.short, 0);
  if (quotaShort !== undefined)
    return (
      `quota: ${quotaShort}, ${missing} node${missing === 1 ? "" : "s"} short ` +
      `(the project's quota counts every server in it, not only nodepool's); ` +
      `room shared by largest deficit first, ties by label name: ${shared}`
    );
  const waiting =
    capacity.deleting > 0
      ? `; ${capacity.deleting} servers deleted this round still count until gone, so pools refill next round`
      : "";
  return (
    `max-servers ${capacity.maxServers} reached: ${capacity.existing} servers exist, ` +
    `+${capacity.newTemplates} template, +${capacity.newNodes} nodes; ` +
    `room shared by largest deficit first, ties by label name: ${shared}${waiting}`
  );
}
