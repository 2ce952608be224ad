// Node states set at run time by the CLI (release, hold, delete): Nova metadata that the
// Pulumi program ignores (ignoreChanges) and the planner acts on in the next `pulumi up`.
import { META } from "../core/metadata.js";
import type { Result } from "../core/result.js";
import type { ProviderClients } from "../openstack/clients.js";
import type { OpenStackError } from "../openstack/errors.js";
import type { NodeState } from "../plan/inventory.js";

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
