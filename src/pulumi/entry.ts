// The program as both ways of running it start it: Pulumi.yaml's `main` (index.ts, for the
// official CLI's `pulumi up`) and `nodepool reconcile`, which runs it inline in its own
// process through the Automation API (no language host, no Node start, no module load per
// round: docs/decisions.md). Stack config (stacks/Pulumi.<stack>.yaml):
//   nodepool:owner       required: the nodepool_stack tag of what this stack owns (stack-owner.ts)
//   nodepool:imagesFile  images.yaml to reconcile (default: images.yaml beside Pulumi.yaml)
// Credentials come from clouds.yaml (OS_CLIENT_CONFIG_FILE, ./clouds.yaml,
// ~/.config/openstack/clouds.yaml) by each provider's `cloud` entry, never from stack config.
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { exportStackState } from "./export-state.js";
import { liveSources } from "./live-sources.js";
import type { ProgramPhase } from "./phases.js";
import { RefusedToPlan, runProgram } from "./program.js";
import { stackOwner } from "./stack-owner.js";

export interface EntryOptions {
  /** The Pulumi project directory: a relative nodepool:imagesFile is read from here. */
  projectDir: string;
  /** Overrides nodepool:imagesFile: the reconciler points it at the commit it applies. */
  imagesFile?: string;
  /** The engine goes on after a failed create (PULUMI_CONTINUE_ON_ERROR); else we warn. */
  continueOnError: boolean;
  phase?: (phase: ProgramPhase) => void;
}

export async function nodepoolProgram(options: EntryOptions) {
  const config = new pulumi.Config("nodepool");
  // What this stack owns is named by its config, never by its current (renameable) names.
  const owner = stackOwner(config.get("owner"), `${pulumi.getProject()}/${pulumi.getStack()}`);
  if (!owner.ok)
    throw new RefusedToPlan(`nodepool declares nothing this run:\n  ${owner.error.join("\n  ")}`);
  const outputs = await runProgram({
    ...liveSources({
      imagesFile: resolve(
        options.projectDir,
        options.imagesFile ?? config.get("imagesFile") ?? "images.yaml",
      ),
      stack: owner.value,
      snapshotPollSeconds: config.getNumber("snapshotPollSeconds"),
      preview: pulumi.runtime.isDryRun(),
      warn: (message) => void pulumi.log.warn(message),
    }),
    ...(options.phase ? { phase: options.phase } : {}),
    exportState: () =>
      exportStackState(
        options.projectDir,
        `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
      ),
  });
  // One create that fails (a missing base image, a full quota) makes a plain `pulumi up` skip
  // the round's deletes in every provider, so used nodes would pile up until max-servers stops
  // the pools. PULUMI_CONTINUE_ON_ERROR=true lets the rest of the round go on (docs/pulumi.md).
  if (!pulumi.runtime.isDryRun() && !options.continueOnError)
    void pulumi.log.warn(
      "nodepool: run `pulumi up` with PULUMI_CONTINUE_ON_ERROR=true, or one failed create " +
        "(a missing base image, a full quota) stops this round's deletes everywhere (docs/pulumi.md)",
    );
  return {
    currentImages: outputs.currentImages,
    nodeCounts: outputs.nodeCounts,
    newBuilds: outputs.newBuilds,
    unreadableProviders: outputs.unreadableProviders,
  };
}
