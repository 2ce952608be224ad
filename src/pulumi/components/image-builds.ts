// The builds of one image in one provider: a template server per build in progress, and a
// Snapshot per build kept or whose setup has finished. A new build's template server is
// booted and left to its setup; a later round snapshots it (the plan's `snapshots`), so no
// `pulumi up` waits for a setup. Builds the plan no longer lists are left undeclared, and
// Pulumi deletes them: that is how retention happens.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { META } from "../../core/metadata.js";
import type { CloudConfig } from "../../openstack/clouds-config.js";
import type { KeptBuild, KeptTemplate, NewBuild } from "../../plan/types.js";
import {
  declaredOwner,
  existingTemplateInputs,
  FROZEN_INSTANCE_INPUTS,
  templateServerInputs,
} from "../instance-inputs.js";
import { Snapshot } from "../snapshot/snapshot.js";

export interface ImageBuildsArgs {
  provider: string;
  region?: string;
  cloud: CloudConfig;
  keptBuilds: KeptBuild[];
  keptTemplates: KeptTemplate[];
  /** Of keptTemplates, those to snapshot this round: setup finished, no snapshot yet. */
  snapshotTemplates: KeptTemplate[];
  newBuilds: { build: NewBuild; userData: string }[];
  openstackProvider: openstack.Provider;
  snapshotPollSeconds?: number;
}

export class ImageBuilds extends pulumi.ComponentResource {
  /** Snapshot resources by version. */
  readonly snapshots: Record<number, Snapshot> = {};

  constructor(name: string, args: ImageBuildsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("nodepool:index:Image", name, {}, opts);
    const serverOptions: pulumi.CustomResourceOptions = {
      parent: this,
      provider: args.openstackProvider,
      ignoreChanges: [...FROZEN_INSTANCE_INPUTS],
    };
    const snapshot = (
      build: { resourceName: string; imageName: string; buildTimeoutSeconds: number },
      serverId: string,
      properties: Record<string, string>,
    ) =>
      new Snapshot(
        build.resourceName,
        {
          cloud: args.cloud,
          region: args.region,
          provider: args.provider,
          serverId,
          imageName: build.imageName,
          properties,
          buildTimeoutSeconds: build.buildTimeoutSeconds,
          pollSeconds: args.snapshotPollSeconds,
        },
        { parent: this },
      );

    const snapshotted = new Set(args.keptBuilds.map((build) => build.version));
    const setUp = new Set(args.snapshotTemplates.map((template) => template.version));
    for (const template of args.keptTemplates) {
      new openstack.compute.Instance(
        template.resourceName,
        existingTemplateInputs(template),
        // Not in this stack's state (a lost state): take the server over, never boot another.
        { ...serverOptions, import: template.serverId },
      );
      if (setUp.has(template.version) && !snapshotted.has(template.version)) {
        const properties = buildProperties({
          ...template,
          templateServerId: template.serverId,
          stack: declaredOwner(template),
        });
        this.snapshots[template.version] = snapshot(template, template.serverId, properties);
      }
    }
    for (const build of args.keptBuilds) {
      this.snapshots[build.version] = snapshot(
        build,
        build.templateServerId ?? "",
        buildProperties({ ...build, stack: declaredOwner(build) }),
      );
    }
    for (const { build, userData } of args.newBuilds) {
      new openstack.compute.Instance(
        build.resourceName,
        templateServerInputs(build, userData),
        serverOptions,
      );
    }
    this.registerOutputs({});
  }
}

/** nodepool's properties on a snapshot image (docs/metadata.md). */
export function buildProperties(build: {
  provider: string;
  image: string;
  version: number;
  hostname: string;
  definitionHash?: string;
  templateServerId?: string;
  stack?: string;
}): Record<string, string> {
  return {
    [META.kind]: "image",
    [META.provider]: build.provider,
    [META.image]: build.image,
    [META.version]: String(build.version),
    [META.hostname]: build.hostname,
    ...(build.definitionHash ? { [META.definitionHash]: build.definitionHash } : {}),
    ...(build.templateServerId ? { [META.templateServer]: build.templateServerId } : {}),
    ...(build.stack ? { [META.stack]: build.stack } : {}),
  };
}
