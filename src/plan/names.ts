// Names of new nodes: `${label}-${provider}-${n}`, counting on from the highest n among the
// pool's existing nodes. A name is the node's identity in the Pulumi program, so it must not
// be one that exists anywhere in the inventory (names with '-' can collide across pools:
// label "a" in provider "b-c" and label "a-b" in provider "c").
import type { PoolNode } from "./inventory.js";

export function nodeNamer(
  label: string,
  provider: string,
  poolNodes: readonly PoolNode[],
  taken: Set<string>,
): () => string {
  const prefix = `${label}-${provider}-`;
  let highest = 0;
  for (const node of poolNodes) {
    if (!node.name.startsWith(prefix)) continue;
    const suffix = node.name.slice(prefix.length);
    if (/^\d+$/.test(suffix)) highest = Math.max(highest, Number(suffix));
  }
  let next = highest + 1;
  return () => {
    while (taken.has(`${prefix}${next}`)) next++;
    const name = `${prefix}${next++}`;
    taken.add(name);
    return name;
  };
}
