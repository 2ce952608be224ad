// Pulumi's entry point (Pulumi.yaml `main`): the live sources, then the program.
// Stack config (stacks/Pulumi.<stack>.yaml):
//   nodepool:owner       required: the nodepool_stack tag of what this stack owns (stack-owner.ts)
//   nodepool:imagesFile  images.yaml to reconcile (default: images.yaml beside Pulumi.yaml)
// NODEPOOL_IMAGES_FILE (environment) overrides it: `nodepool reconcile` points it at the
// commit it applies, checked out in a worktree of its own (src/reconciler/git-source.ts).
// Credentials come from clouds.yaml (OS_CLIENT_CONFIG_FILE, ./clouds.yaml,
// ~/.config/openstack/clouds.yaml) by each provider's `cloud` entry, never from stack config.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { liveSources } from "./live-sources.js";
import { PHASES_FILE_ENV, phaseRecorder } from "./phases.js";
import { RefusedToPlan, runProgram } from "./program.js";
import { stackOwner } from "./stack-owner.js";

// Module evaluation runs after every import has loaded: this is the program's load time.
const phase = phaseRecorder(process.env[PHASES_FILE_ENV]);
phase("processStarted", Math.round(performance.timeOrigin));
phase("modulesLoaded");

const config = new pulumi.Config("nodepool");
// What this stack owns is named by its config, never by its current (renameable) names.
const owner = stackOwner(config.get("owner"), `${pulumi.getProject()}/${pulumi.getStack()}`);
if (!owner.ok) throw new RefusedToPlan(`nodepool declares nothing this run:\n  ${owner.error.join("\n  ")}`);
// Relative to the project (Pulumi.yaml), whatever directory the language host runs us in.
const projectDir = fileURLToPath(new URL("../../", import.meta.url));
const outputs = await runProgram({
  ...liveSources({
    imagesFile: resolve(
      projectDir,
      process.env["NODEPOOL_IMAGES_FILE"] ?? config.get("imagesFile") ?? "images.yaml",
    ),
    stack: owner.value,
    snapshotPollSeconds: config.getNumber("snapshotPollSeconds"),
    preview: pulumi.runtime.isDryRun(),
    warn: (message) => void pulumi.log.warn(message),
  }),
  phase,
});

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
