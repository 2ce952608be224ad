// Node states set at run time (release, hold, delete, a round's fence): Nova metadata that the
// Pulumi program ignores (ignoreChanges) and the planner acts on in the next round.
import { META } from "../core/metadata.js";
import { err, ok, type Result } from "../core/result.js";
import type { ProviderClients } from "../openstack/clients.js";
import { formatOpenStackError, type OpenStackError } from "../openstack/errors.js";
import type { NodeState, PoolNode } from "../plan/inventory.js";
import { claimInProvider } from "./claim.js";

export type MarkableState = Extract<NodeState, "used" | "hold" | "deleting">;

/** The metadata of a mark: the state, when, and why it is held (cleared by any other mark). */
function markMetadata(state: MarkableState, now: number, holdReason?: string): Record<string, string> {
  return {
    [META.state]: state,
    [META.stateChangedAt]: String(now),
    // A node held, then released or deleted, must not go on showing why it was held.
    [META.holdReason]: state === "hold" ? (holdReason ?? "held for debugging") : "",
  };
}

/** Mark a node no job can claim now (in-use, held, used…): the metadata write alone. */
export async function markNode(
  clients: ProviderClients,
  serverId: string,
  state: MarkableState,
  now: number,
  holdReason?: string,
): Promise<Result<Record<string, string>, OpenStackError>> {
  return clients.nova.setServerMetadata(serverId, markMetadata(state, now, holdReason));
}

export type MarkFailure = { kind: "taken"; why: string } | { kind: "cloud"; message: string };

/**
 * Mark a node a job could be claiming at this very moment (ready; booting too, for a fence):
 * take its port lock the way a claim does (claim.ts) and write the mark as the claim's own
 * metadata write, so either the job or the marker has it, never both, and the node never
 * shows in-use by nobody. The port keeps the lock (with `who`) until the node is gone. A node
 * without a port cannot be claimed, so there the mark alone is enough.
 */
export async function lockAndMark(
  clients: ProviderClients,
  node: PoolNode,
  who: string,
  state: MarkableState,
  now: number,
  options: { holdReason?: string; acceptBooting?: boolean } = {},
): Promise<Result<void, MarkFailure>> {
  const locked = await claimInProvider(clients, {
    label: node.label,
    claimer: who,
    now,
    serverId: node.serverId,
    mirror: { ...markMetadata(state, now, options.holdReason), [META.claimedBy]: who },
    ...(options.acceptBooting ? { acceptBooting: true } : {}),
  });
  if (locked.ok) return ok(undefined);
  if (locked.error.kind === "cloud") return err(locked.error);
  if (!locked.error.portless.some((p) => p.serverId === node.serverId))
    return err({
      kind: "taken",
      why: locked.error.skipped.join("; ") || "no longer ready: claimed, held or changed since the read",
    });
  const marked = await markNode(clients, node.serverId, state, now, options.holdReason);
  return marked.ok ? ok(undefined) : err({ kind: "cloud", message: formatOpenStackError(marked.error) });
}
