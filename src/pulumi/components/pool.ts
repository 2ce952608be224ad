// The nodes of one label in one provider. Kept nodes are declared again exactly as they are
// (frozen inputs); new nodes get new names. Nodes left out are deleted by Pulumi.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import type { KeptNode, NewNode } from "../../plan/types.js";
import { existingNodeInputs, FROZEN_INSTANCE_INPUTS, newNodeInputs } from "../instance-inputs.js";

export interface PoolArgs {
  keptNodes: KeptNode[];
  newNodes: NewNode[];
  openstackProvider: openstack.Provider;
}

export class Pool extends pulumi.ComponentResource {
  readonly servers: Record<string, openstack.compute.Instance> = {};

  constructor(name: string, args: PoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super("nodepool:index:Pool", name, {}, opts);
    const options: pulumi.CustomResourceOptions = {
      parent: this,
      provider: args.openstackProvider,
      ignoreChanges: [...FROZEN_INSTANCE_INPUTS],
    };
    for (const node of args.keptNodes) {
      // `import`: when the state has no record of this node (a lost or new state), Pulumi
      // takes the existing server over instead of creating a second one from the placeholder
      // inputs. With the server already in state under that id it is an ordinary declaration.
      this.servers[node.name] = new openstack.compute.Instance(node.name, existingNodeInputs(node), {
        ...options,
        import: node.serverId,
      });
    }
    for (const node of args.newNodes) {
      this.servers[node.name] = new openstack.compute.Instance(node.name, newNodeInputs(node), options);
    }
    this.registerOutputs({});
  }
}
