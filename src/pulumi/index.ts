// Pulumi's entry point (Pulumi.yaml `main`): the live sources, then the program.
// Stack config (stacks/Pulumi.<stack>.yaml):
//   nodepool:imagesFile  images.yaml to reconcile (default: images.yaml beside Pulumi.yaml)
// Credentials come from clouds.yaml (OS_CLIENT_CONFIG_FILE, ./clouds.yaml,
// ~/.config/openstack/clouds.yaml) by each provider's `cloud` entry, never from stack config.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { liveSources } from "./live-sources.js";
import { runProgram } from "./program.js";

const config = new pulumi.Config("nodepool");
// Relative to the project (Pulumi.yaml), whatever directory the language host runs us in.
const projectDir = fileURLToPath(new URL("../../", import.meta.url));
const outputs = await runProgram(
  liveSources({
    imagesFile: resolve(projectDir, config.get("imagesFile") ?? "images.yaml"),
    stack: `${pulumi.getProject()}/${pulumi.getStack()}`,
    snapshotPollSeconds: config.getNumber("snapshotPollSeconds"),
    preview: pulumi.runtime.isDryRun(),
  }),
);

// One create that fails (a missing base image, a full quota) makes a plain `pulumi up` skip
// the round's deletes in every provider, so used nodes would pile up until max-servers stops
// the pools. PULUMI_CONTINUE_ON_ERROR=true lets the rest of the round go on (docs/pulumi.md).
if (!pulumi.runtime.isDryRun() && !/^(1|true)$/i.test(process.env["PULUMI_CONTINUE_ON_ERROR"] ?? ""))
  void pulumi.log.warn(
    "nodepool: run `pulumi up` with PULUMI_CONTINUE_ON_ERROR=true, or one failed create " +
      "(a missing base image, a full quota) stops this round's deletes everywhere (docs/pulumi.md)",
  );

export const currentImages = outputs.currentImages;
export const nodeCounts = outputs.nodeCounts;
export const newBuilds = outputs.newBuilds;
