// The nodes a pool gets this round: named, booted from the current build, each with a reason.
import { nodeFlavor } from "../config/definition.js";
import type { LabelConfig, ProviderConfig } from "../config/schema.js";
import type { UsableBuild } from "./current.js";
import type { PoolNode } from "./inventory.js";
import { nodeNamer } from "./names.js";
import type { Action, NewNode, PoolPlan } from "./types.js";

export function newNodes(
  pool: PoolPlan,
  label: LabelConfig,
  provider: ProviderConfig,
  current: UsableBuild,
  count: number,
  now: number,
  existing: readonly PoolNode[],
  takenNames: Set<string>,
  owner: string | null,
): { nodes: NewNode[]; actions: Action[] } {
  const name = nodeNamer(label.name, provider.name, now, existing, takenNames);
  const have = pool.minReady + pool.requests - pool.deficit;
  const waiting =
    pool.requests > 0 ? ` and ${pool.requests} waiting request${pool.requests === 1 ? "" : "s"}` : "";
  const reason =
    `${label.name} has ${have} of min-ready ${pool.minReady}${waiting}; ` +
    `boots ${label.image} ${current.version}`;
  const nodes: NewNode[] = [];
  const actions: Action[] = [];
  for (let i = 0; i < count; i++) {
    const node: NewNode = {
      provider: provider.name,
      label: label.name,
      name: name(),
      image: label.image,
      imageVersion: current.version,
      cloudImageId: current.cloudImageId,
      flavor: nodeFlavor(label, provider),
      networks: provider.networks,
      owner,
    };
    nodes.push(node);
    actions.push({ kind: "create-node", provider: provider.name, owner, target: node.name, reason });
  }
  return { nodes, actions };
}
