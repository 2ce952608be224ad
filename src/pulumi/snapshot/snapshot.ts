// The Snapshot resource: a template server's image, taken when its setup has finished.
import * as pulumi from "@pulumi/pulumi";
import type { CloudConfig } from "../../openstack/clouds-config.js";
import { snapshotProvider } from "./snapshot-provider.js";

export interface SnapshotArgs {
  cloud: pulumi.Input<CloudConfig>;
  region?: pulumi.Input<string>;
  provider: pulumi.Input<string>;
  serverId: pulumi.Input<string>;
  imageName: pulumi.Input<string>;
  properties: pulumi.Input<Record<string, pulumi.Input<string>>>;
  buildTimeoutSeconds: pulumi.Input<number>;
  pollSeconds?: pulumi.Input<number>;
}

export class Snapshot extends pulumi.dynamic.Resource {
  declare readonly imageId: pulumi.Output<string>;
  declare readonly status: pulumi.Output<string>;
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: SnapshotArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      snapshotProvider as pulumi.dynamic.ResourceProvider,
      name,
      {
        ...args,
        cloud: pulumi.secret(args.cloud),
        imageId: undefined,
        status: undefined,
        adopted: undefined,
      },
      { ...opts, additionalSecretOutputs: ["cloud"] },
      "nodepool",
      "Snapshot",
    );
  }
}
