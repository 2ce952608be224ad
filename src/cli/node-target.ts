// Finding the node a `nodepool node …` command names: the ID column of node-list, the
// server's name, or its server id.
import { err, ok, type Result } from "../core/result.js";
import type { ProviderClients } from "../openstack/clients.js";
import { openProvider } from "../openstack/clients.js";
import type { PoolNode } from "../plan/inventory.js";
import { EXIT } from "./exit-codes.js";
import { loadLiveInventory, type CommandFailure } from "./live-inventory.js";
import { nodeId } from "../core/ids.js";

export interface NodeTarget {
  node: PoolNode;
  id: string;
  clients: ProviderClients;
}

export async function findNode(file: string, wanted: string): Promise<Result<NodeTarget, CommandFailure>> {
  const live = await loadLiveInventory({ file });
  if (!live.ok) return live;
  const nodes = live.value.readable.flatMap((provider) => provider.nodes);
  const matches = nodes.filter((n) => nodeId(n) === wanted || n.name === wanted || n.serverId === wanted);
  if (matches.length !== 1) {
    const unread = live.value.unreadable
      .map((u) => ` (provider ${u.provider} could not be read: ${u.error})`)
      .join("");
    const why =
      matches.length === 0
        ? `no node "${wanted}"${unread}`
        : `"${wanted}" names ${matches.length} nodes: use its ID`;
    return err({
      exitCode: matches.length === 0 && unread ? EXIT.cloud : EXIT.failed,
      messages: [`${why}; see \`nodepool node-list\``],
    });
  }
  const node = matches[0]!;
  const provider = live.value.providers.find((p) => p.name === node.provider)!;
  const clients = openProvider(provider);
  if (!clients.ok) return err({ exitCode: EXIT.cloud, messages: [clients.error.message] });
  return ok({ node, id: nodeId(node), clients: clients.value });
}
