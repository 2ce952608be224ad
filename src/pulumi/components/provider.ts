// Everything nodepool declares in one provider: an explicit openstack.Provider (so no
// ambient credentials are ever used), then an Image component per image and a Pool per label.
// It translates the plan's desired state, which names, resolves and owns every item; it
// decides nothing (src/plan/ownership.ts says what is this stack's).
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import type { CloudConfig } from "../../openstack/clouds-config.js";
import type { ProviderPlan } from "../../plan/types.js";
import { openstackProviderArgs } from "../provider-args.js";
import { ImageBuilds } from "./image-builds.js";
import { Pool } from "./pool.js";

export interface NodepoolProviderArgs {
  plan: ProviderPlan;
  cloud: CloudConfig;
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
    const { plan } = args;
    const openstackProvider = new openstack.Provider(
      name,
      openstackProviderArgs(args.cloud, plan.region, args.token),
      { parent: this },
    );
    const desired = plan.desired;
    const byImage = <T extends { image: string }>(items: readonly T[], image: string) =>
      items.filter((item) => item.image === image);

    const imageNames = new Set([
      ...plan.images.map((i) => i.image),
      ...desired.builds.map((b) => b.image),
      ...desired.templates.map((t) => t.image),
    ]);
    for (const image of [...imageNames].sort()) {
      this.images[image] = new ImageBuilds(
        `${name}/${image}`,
        {
          provider: name,
          region: plan.region,
          cloud: args.cloud,
          keptBuilds: byImage(desired.builds, image),
          keptTemplates: byImage(desired.templates, image),
          snapshotTemplates: byImage(desired.snapshots, image),
          newBuilds: byImage(desired.newBuilds, image).map((build) => ({
            build,
            userData: args.setupScripts[build.setup] ?? "",
          })),
          openstackProvider,
          snapshotPollSeconds: args.snapshotPollSeconds,
        },
        { parent: this },
      );
    }

    const labels = new Set([...plan.pools.map((p) => p.label), ...desired.nodes.map((n) => n.label)]);
    for (const label of [...labels].sort()) {
      this.pools[label] = new Pool(
        `${name}/${label}`,
        {
          keptNodes: desired.nodes.filter((n) => n.label === label),
          newNodes: desired.newNodes.filter((n) => n.label === label),
          openstackProvider,
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}
