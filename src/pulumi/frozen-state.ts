// What this stack holds in a provider that could not be read, from its own Pulumi state, so
// that the round declares it again unchanged instead of stopping every provider (a resource
// left out of a program is a resource Pulumi deletes). Pure: it reads `pulumi stack export`'s
// JSON, already parsed; the component that declares it is components/frozen-provider.ts.
import { err, ok, type Result } from "../core/result.js";

/** A resource as `pulumi stack export` (deployment version 3) records it. */
export interface StateResource {
  urn: string;
  type: string;
  custom?: boolean;
  id?: string;
  parent?: string;
  inputs?: Record<string, unknown>;
  /** A replaced resource waiting for its delete: Pulumi deletes it whatever the program says. */
  delete?: boolean;
}

/** The types nodepool declares under a provider's component; any other is not ours to copy. */
export const FROZEN_TYPES = {
  provider: "nodepool:index:Provider",
  image: "nodepool:index:Image",
  pool: "nodepool:index:Pool",
  openstack: "pulumi:providers:openstack",
  instance: "openstack:compute/instance:Instance",
  snapshot: "pulumi-nodejs:dynamic/nodepool:Snapshot",
} as const;

const KNOWN = new Set<string>(Object.values(FROZEN_TYPES));

export interface FrozenResource {
  type: string;
  /** The resource's name: the last part of its URN. */
  name: string;
  urn: string;
  id?: string;
  inputs: Record<string, unknown>;
  children: FrozenResource[];
}

/** The name part of a URN: urn:pulumi:stack::project::type$type::name → name. */
export function urnName(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

/**
 * The provider's component and everything under it, as a tree in state order; undefined when
 * the state holds nothing of the provider (then there is nothing to keep). An error when a
 * resource under it is of a type nodepool does not declare: copying what we do not understand
 * could change it, so the round refuses instead, as it did before for any unreadable provider.
 */
export function frozenProvider(
  resources: readonly StateResource[],
  provider: string,
): Result<FrozenResource | undefined, string> {
  const live = resources.filter((r) => !r.delete);
  const root = live.find((r) => r.type === FROZEN_TYPES.provider && urnName(r.urn) === provider);
  if (root === undefined) return ok(undefined);
  const children = new Map<string, StateResource[]>();
  for (const resource of live) {
    if (resource.parent === undefined) continue;
    const siblings = children.get(resource.parent) ?? [];
    siblings.push(resource);
    children.set(resource.parent, siblings);
  }
  const problems: string[] = [];
  const build = (resource: StateResource): FrozenResource => {
    if (!KNOWN.has(resource.type)) problems.push(`${resource.type} ${urnName(resource.urn)}`);
    return {
      type: resource.type,
      name: urnName(resource.urn),
      urn: resource.urn,
      ...(resource.id ? { id: resource.id } : {}),
      inputs: resource.inputs ?? {},
      children: (children.get(resource.urn) ?? []).map(build),
    };
  };
  const tree = build(root);
  if (problems.length > 0)
    return err(
      `its state holds resources nodepool does not declare, so it cannot keep them: ${problems.join(", ")}`,
    );
  return ok(tree);
}

/** Every resource of a frozen tree, for counting and messages. */
export function frozenResources(tree: FrozenResource): FrozenResource[] {
  return [tree, ...tree.children.flatMap(frozenResources)];
}
