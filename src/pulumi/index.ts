// Pulumi's entry point (Pulumi.yaml `main`): the live sources, then the program.
// Stack config (stacks/Pulumi.<stack>.yaml):
//   nodepool:imagesFile  images.yaml to reconcile (default: images.yaml beside Pulumi.yaml)
// Credentials come from clouds.yaml (OS_CLIENT_CONFIG_FILE, ./clouds.yaml,
// ~/.config/openstack/clouds.yaml) by each provider's `cloud` entry, never from stack config.
import * as pulumi from "@pulumi/pulumi";
import { liveSources } from "./live-sources.js";
import { runProgram } from "./program.js";

const config = new pulumi.Config("nodepool");
const outputs = await runProgram(
  liveSources({
    imagesFile: config.get("imagesFile") ?? "images.yaml",
    stack: `${pulumi.getProject()}/${pulumi.getStack()}`,
    snapshotPollSeconds: config.getNumber("snapshotPollSeconds"),
  }),
);

export const currentImages = outputs.currentImages;
export const nodeCounts = outputs.nodeCounts;
export const newBuilds = outputs.newBuilds;
