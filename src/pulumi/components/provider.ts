// Everything nodepool declares in one provider: an explicit openstack.Provider (so no
// ambient credentials are ever used), then an Image component per image and a Pool per label.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import type { LoadedConfig } from "../../config/definition.js";
import type { CloudConfig } from "../../openstack/clouds-config.js";
import type { ProviderPlan } from "../../plan/types.js";
import { openstackProviderArgs } from "../provider-args.js";
import { ImageBuilds } from "./image-builds.js";
import { Pool } from "./pool.js";

export interface NodepoolProviderArgs {
  config: LoadedConfig;
  plan: ProviderPlan;
  cloud: CloudConfig;
  stack: string;
  /** Setup script content by path, for template servers' user data. */
  setupScripts: Record<string, string>;
  snapshotPollSeconds?: number;
  /** A token for the OpenStack provider to use as it is (provider-args.ts); else it logs in. */
  token?: string;
}

export class NodepoolProvider extends pulumi.ComponentResource {
  readonly images: Record<string, ImageBuilds> = {};
  readonly pools: Record<string, Pool> = {};

  constructor(name: string, args: NodepoolProviderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("nodepool:index:Provider", name, {}, opts);
    const settings = args.config.providers.find((p) => p.name === name);
    if (!settings) throw new Error(`provider ${name} is not in images.yaml`);
    const openstackProvider = new openstack.Provider(
      name,
      openstackProviderArgs(args.cloud, settings.region, args.token),
      {
        parent: this,
      },
    );
    const desired = args.plan.desired;

    const imageNames = new Set([
      ...args.plan.images.map((i) => i.image),
      ...desired.builds.map((b) => b.image),
      ...desired.templates.map((t) => t.image),
    ]);
    for (const image of [...imageNames].sort()) {
      const config = args.config.images.find((i) => i.name === image);
      this.images[image] = new ImageBuilds(
        `${name}/${image}`,
        {
          provider: name,
          image,
          region: settings.region,
          cloud: args.cloud,
          stack: args.stack,
          buildTimeoutSeconds: config?.buildTimeoutSeconds ?? 3600,
          flavor: config?.flavor ?? settings.flavor,
          // Another stack's snapshot is not ours to keep or delete; one made outside Pulumi
          // (no stack recorded) is adopted.
          keptBuilds: desired.builds.filter(
            (b) => b.image === image && (b.stack ?? args.stack) === args.stack,
          ),
          keptTemplates: desired.templates.filter((t) => t.image === image && t.stack === args.stack),
          snapshotTemplates: desired.snapshots.filter((t) => t.image === image && t.stack === args.stack),
          newBuilds: desired.newBuilds
            .filter((b) => b.image === image)
            .map((build) => ({ build, userData: args.setupScripts[build.setup] ?? "" })),
          openstackProvider,
          snapshotPollSeconds: args.snapshotPollSeconds,
        },
        { parent: this },
      );
    }

    // Only nodes this stack created are declared: another stack's (or a hand-made) server
    // is not ours to keep or delete.
    const keptNodes = desired.nodes.filter((n) => n.stack === args.stack);
    const labels = new Set([...args.plan.pools.map((p) => p.label), ...keptNodes.map((n) => n.label)]);
    for (const label of [...labels].sort()) {
      const config = args.config.labels.find((l) => l.name === label);
      this.pools[label] = new Pool(
        `${name}/${label}`,
        {
          stack: args.stack,
          flavor: config?.flavor ?? settings.flavor,
          keptNodes: keptNodes.filter((n) => n.label === label),
          newNodes: desired.newNodes.filter((n) => n.label === label),
          openstackProvider,
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}
