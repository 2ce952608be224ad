// A provider that could not be read, declared again exactly as Pulumi's state holds it
// (frozen-state.ts): the same components, provider, servers and snapshots under the same
// names and parents, each with every input it recorded listed in ignoreChanges, so the engine
// takes the recorded value for each (its inputs stay byte for byte what they were), sees no
// diff and touches nothing. The values given here are only what the constructors need. No
// resource here calls the cloud: the OpenStack provider authenticates only when it is called
// (delayed auth, its default), and nothing calls it.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import type { CloudConfig } from "../../openstack/clouds-config.js";
import { FROZEN_TYPES, type FrozenResource } from "../frozen-state.js";
import { FROZEN_INSTANCE_INPUTS } from "../instance-inputs.js";
import { Snapshot } from "../snapshot/snapshot.js";

export interface FrozenProviderArgs {
  tree: FrozenResource;
  /**
   * Only for the Snapshot constructor: every snapshot input is kept as recorded. Absent when
   * the provider's cloud has no credentials any more (an entry gone from clouds.yaml).
   */
  cloud?: CloudConfig;
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
/** Every input the state recorded: the engine keeps its recorded value for each. */
const recorded = (node: FrozenResource, more: readonly string[] = []) => [
  ...new Set([...Object.keys(node.inputs).filter((key) => !key.startsWith("__")), ...more]),
];
const num = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

/** A stand-in for a cloud with no credentials now: only the constructor sees it. */
const unresolved = (name: string): CloudConfig => ({
  name,
  auth: { type: "password", authUrl: "", password: "" },
  interface: "public",
  source: "not resolvable now: the snapshot keeps the cloud its state recorded",
});

/** An Image or Pool component, under its own type and name, holding what it held. */
class FrozenComponent extends pulumi.ComponentResource {
  constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
  }
  done(): void {
    this.registerOutputs({});
  }
}

export class FrozenProvider extends pulumi.ComponentResource {
  constructor(name: string, args: FrozenProviderArgs, opts?: pulumi.ComponentResourceOptions) {
    super(FROZEN_TYPES.provider, name, {}, opts);
    // The OpenStack provider first: the servers below name it.
    const providerNode = args.tree.children.find((child) => child.type === FROZEN_TYPES.openstack);
    const openstackProvider = providerNode
      ? // No settings of its own: any given here that the state lacks would be added to it.
        new openstack.Provider(providerNode.name, {}, { parent: this, ignoreChanges: recorded(providerNode) })
      : undefined;
    const declare = (node: FrozenResource, parent: pulumi.Resource): void => {
      switch (node.type) {
        case FROZEN_TYPES.openstack:
          return;
        case FROZEN_TYPES.image:
        case FROZEN_TYPES.pool: {
          const component = new FrozenComponent(node.type, node.name, { parent });
          for (const child of node.children) declare(child, component);
          component.done();
          return;
        }
        case FROZEN_TYPES.instance:
          new openstack.compute.Instance(
            node.name,
            { name: text(node.inputs["name"]) ?? node.name, flavorName: "frozen", networkMode: "none" },
            {
              parent,
              ...(openstackProvider ? { provider: openstackProvider } : {}),
              ignoreChanges: recorded(node, FROZEN_INSTANCE_INPUTS),
            },
          );
          return;
        case FROZEN_TYPES.snapshot: {
          const properties = node.inputs["properties"];
          new Snapshot(
            node.name,
            {
              // Replaced by the recorded value (ignoreChanges), so never written to the state.
              cloud: args.cloud ?? unresolved(name),
              ...(text(node.inputs["region"]) ? { region: text(node.inputs["region"]) } : {}),
              provider: text(node.inputs["provider"]) ?? name,
              serverId: text(node.inputs["serverId"]) ?? "",
              imageName: text(node.inputs["imageName"]) ?? node.name,
              properties: (properties ?? {}) as Record<string, string>,
              // Only used while a snapshot is taken, which this one is not: its diff ignores it.
              buildTimeoutSeconds: num(node.inputs["buildTimeoutSeconds"]) ?? 0,
              ...(num(node.inputs["pollSeconds"]) !== undefined
                ? { pollSeconds: num(node.inputs["pollSeconds"]) }
                : {}),
            },
            { parent, ignoreChanges: recorded(node) },
          );
          return;
        }
        default:
          // frozenProvider() refused unknown types before this was built.
          throw new Error(`${name}: cannot declare ${node.type} ${node.name} again`);
      }
    };
    for (const child of args.tree.children) declare(child, this);
    this.registerOutputs({});
  }
}
