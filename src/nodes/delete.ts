// Deleting nodes straight from Nova, for the nodes a plan drops (src/plan/fence.ts decides
// which): the program does it before the engine's own delete steps, the reconciler's sweep
// during a round. Nova answers at once; the server goes a moment later.
import type { Result } from "../core/result.js";
import type { ProviderClients } from "../openstack/clients.js";
import { formatOpenStackError } from "../openstack/errors.js";
import type { PoolNode } from "../plan/inventory.js";

export interface DeleteOutcome {
  /** Nodes Nova accepted the delete of (or had already deleted). */
  deleted: PoolNode[];
  /** "provider/name: why" for each one it did not. */
  problems: string[];
}

export async function deleteNodes(
  clientsOf: (provider: string) => Result<ProviderClients, string>,
  nodes: readonly PoolNode[],
): Promise<DeleteOutcome> {
  const outcome: DeleteOutcome = { deleted: [], problems: [] };
  await Promise.all(
    nodes.map(async (node) => {
      const clients = clientsOf(node.provider);
      if (!clients.ok) {
        outcome.problems.push(`${node.provider}/${node.name}: ${clients.error}`);
        return;
      }
      const answer = await clients.value.nova.deleteServer(node.serverId);
      if (answer.ok) outcome.deleted.push(node);
      else outcome.problems.push(`${node.provider}/${node.name}: ${formatOpenStackError(answer.error)}`);
    }),
  );
  return outcome;
}
