// The reconciler's rules that need no cloud, git or clock of their own: when to try again
// after a failed round, whether it is healthy, and the one line a round is logged as.
import type { Action, Plan } from "../plan/types.js";

/** After a failed round: 5 s, 10 s, 20 s … at most 5 minutes (a cloud in trouble is not hammered). */
export const BACKOFF_FIRST_SECONDS = 5;
export const BACKOFF_MAX_SECONDS = 300;

export function backoffSeconds(consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return 0;
  return Math.min(BACKOFF_MAX_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** (consecutiveFailures - 1));
}

export interface HealthInput {
  /** Unix ms of the last time the reconciler knew the clouds matched images.yaml or made them. */
  lastSuccessMs?: number;
  startedMs: number;
  nowMs: number;
  /** Unhealthy when nothing succeeded for this long (and the reconciler has run that long). */
  unhealthyAfterMs: number;
}

/**
 * Healthy while a round succeeded, or a look found nothing to do, within unhealthyAfterMs. A
 * reconciler whose rounds all fail (a stuck lock, a broken cloud, a program error) goes
 * unhealthy, so a service manager restarts it and an operator is told.
 */
export function isHealthy(input: HealthInput): boolean {
  const since = input.lastSuccessMs ?? input.startedMs;
  return input.nowMs - since < input.unhealthyAfterMs;
}

/**
 * What a round does and why, in one line: per provider, each kind of action with its count and
 * its reasons (deduplicated, most frequent first): "hpcloud: 3 delete-node (used by its job),
 * 3 create-node (devstack-precise has 2 of min-ready 5; boots …)".
 */
export function roundSummary(plan: Plan): string {
  const parts: string[] = [];
  for (const provider of plan.providers) {
    if (provider.actions.length === 0) continue;
    const byKind = new Map<string, Action[]>();
    for (const action of provider.actions)
      byKind.set(action.kind, [...(byKind.get(action.kind) ?? []), action]);
    const kinds = [...byKind].map(([kind, actions]) => `${actions.length} ${kind} (${reasons(actions)})`);
    parts.push(`${provider.provider}: ${kinds.join(", ")}`);
  }
  return parts.length > 0 ? parts.join("; ") : "nothing to do";
}

function reasons(actions: readonly Action[]): string {
  const counts = new Map<string, number>();
  for (const { reason } of actions) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([reason, count]) => (count > 1 ? `${reason} ×${count}` : reason))
    .join("; ");
}
