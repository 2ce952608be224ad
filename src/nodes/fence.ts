// Fence the nodes a round is about to delete (src/plan/fence.ts decides which): take each
// one's port lock the way a claim does (claim.ts) and mark it deleting, so that from here on
// no job can claim it. Of a job and the round, exactly one wins a node: a node the round
// loses is reported, and the program plans again from a fresh inventory, which keeps it.
import { err, ok, type Result } from "../core/result.js";
import type { ProviderClients } from "../openstack/clients.js";
import type { PoolNode } from "../plan/inventory.js";
import { lockAndMark } from "./mark.js";

export interface FenceOutcome {
  /** Server ids now marked deleting: no claim can take them any more. */
  fenced: string[];
  /** Nodes a job (or a person) took before the round could: they must not be deleted. */
  lost: { provider: string; name: string; why: string }[];
  /** Nodes whose fence could not be completed because a cloud call failed. */
  errors: string[];
}

export async function fenceNodes(
  clientsOf: (provider: string) => Result<ProviderClients, string>,
  nodes: readonly PoolNode[],
  who: string,
  now: number,
): Promise<FenceOutcome> {
  const outcome: FenceOutcome = { fenced: [], lost: [], errors: [] };
  const results = await Promise.all(
    nodes.map(async (node) => [node, await fenceNode(clientsOf, node, who, now)] as const),
  );
  for (const [node, result] of results) {
    if (result.ok) outcome.fenced.push(node.serverId);
    else if (result.error.kind === "lost")
      outcome.lost.push({ provider: node.provider, name: node.name, why: result.error.why });
    else outcome.errors.push(`${node.provider}/${node.name}: ${result.error.message}`);
  }
  return outcome;
}

type FenceFailure = { kind: "lost"; why: string } | { kind: "cloud"; message: string };

async function fenceNode(
  clientsOf: (provider: string) => Result<ProviderClients, string>,
  node: PoolNode,
  who: string,
  now: number,
): Promise<Result<void, FenceFailure>> {
  const clients = clientsOf(node.provider);
  if (!clients.ok) return err({ kind: "cloud", message: clients.error });
  // The same lock and the same checks as a job's claim, marked deleting instead of in-use;
  // a booting node too, since it may turn ACTIVE and be claimed before the round deletes it.
  const marked = await lockAndMark(clients.value, node, who, "deleting", now, { acceptBooting: true });
  if (marked.ok) return ok(undefined);
  return err(marked.error.kind === "taken" ? { kind: "lost", why: marked.error.why } : marked.error);
}
