// Node states set at run time by the CLI (release, hold, delete): Nova metadata that the
// Pulumi program ignores (ignoreChanges) and the planner acts on in the next `pulumi up`.
import { META } from "../core/metadata.js";
import { err, ok, type Result } from "../core/result.js";
import type { ProviderClients } from "../openstack/clients.js";
import type { OpenStackError } from "../openstack/errors.js";
import type { NodeState, PoolNode } from "../plan/inventory.js";
import { claimInProvider } from "./claim.js";

export type MarkableState = Extract<NodeState, "used" | "hold" | "deleting">;

export async function markNode(
  clients: ProviderClients,
  serverId: string,
  state: MarkableState,
  now: number,
  holdReason?: string,
): Promise<Result<Record<string, string>, OpenStackError>> {
  return clients.nova.setServerMetadata(serverId, {
    [META.state]: state,
    [META.stateChangedAt]: String(now),
    // A node held, then released or deleted, must not go on showing why it was held.
    [META.holdReason]: state === "hold" ? (holdReason ?? "held for debugging") : "",
  });
}

export type LockFailure = { kind: "taken" } | { kind: "cloud"; message: string };

/**
 * Before an operator marks a ready node: a job may be claiming it at this very moment, so take
 * its port lock the way a claim does (claim.ts); then either the job or the operator has it,
 * never both. A node without a port cannot be claimed, so there is nothing to lock.
 */
export async function lockReadyNode(
  clients: ProviderClients,
  node: PoolNode,
  who: string,
  now: number,
): Promise<Result<"locked" | "no-port", LockFailure>> {
  const locked = await claimInProvider(clients, {
    label: node.label,
    claimer: who,
    now,
    serverId: node.serverId,
  });
  if (locked.ok) return ok("locked");
  if (locked.error.kind === "cloud") return err(locked.error);
  return locked.error.portless.some((p) => p.serverId === node.serverId)
    ? ok("no-port")
    : err({ kind: "taken" });
}
