// Names of new nodes: `${label}-${provider}-${round}-${i}`, where `round` is the plan's `now`
// (as a build's version is) and i counts the round's nodes of that pool from 1. A name is the
// node's Pulumi resource name, and Pulumi's state may still hold names the inventory no
// longer shows (a server deleted by hand, an `up` that died mid-delete): reusing one creates
// nothing, since every input is frozen. Counting on from the inventory's highest name did
// reuse them; a round stamp never comes back, because each round's `now` is later than the
// last's. The stamp is raised above the newest one among the pool's nodes, so a clock set
// back cannot walk into a round that is still visible. Names in the inventory are skipped
// too: '-' lets pools' names run together (label "a" in provider "b-c", "a-b" in "c").
import type { PoolNode } from "./inventory.js";

export function nodeNamer(
  label: string,
  provider: string,
  now: number,
  poolNodes: readonly PoolNode[],
  taken: Set<string>,
): () => string {
  const prefix = `${label}-${provider}-`;
  let round = now;
  for (const node of poolNodes) {
    if (!node.name.startsWith(prefix)) continue;
    const stamp = /^(\d+)-\d+$/.exec(node.name.slice(prefix.length))?.[1];
    if (stamp !== undefined) round = Math.max(round, Number(stamp) + 1);
  }
  let next = 1;
  return () => {
    while (taken.has(`${prefix}${round}-${next}`)) next++;
    const name = `${prefix}${round}-${next++}`;
    taken.add(name);
    return name;
  };
}

/**
 * A build's resource name (its template server's, then its snapshot's): unique per provider,
 * image and version, the identity Pulumi's state keeps it under.
 */
export function buildResourceName(provider: string, image: string, version: number): string {
  return `${provider}.${image}-${version}`;
}

/** A build's Glance image name: the seed's `devstack-precise-1394417686`. */
export function buildImageName(image: string, version: number): string {
  return `${image}-${version}`;
}
