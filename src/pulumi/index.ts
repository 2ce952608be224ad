// Pulumi's entry point (Pulumi.yaml `main`) for the official CLI's `pulumi up` and `preview`:
// the program of entry.ts with its options from the environment.
// NODEPOOL_IMAGES_FILE overrides the stack's nodepool:imagesFile.
import { fileURLToPath } from "node:url";
import { nodepoolProgram } from "./entry.js";
import { PHASES_FILE_ENV, phaseRecorder } from "./phases.js";

// Module evaluation runs after every import has loaded: this is the program's load time.
const phase = phaseRecorder(process.env[PHASES_FILE_ENV]);
phase("processStarted", Math.round(performance.timeOrigin));
phase("modulesLoaded");

const outputs = await nodepoolProgram({
  // Relative to the project (Pulumi.yaml), whatever directory the language host runs us in.
  projectDir: fileURLToPath(new URL("../../", import.meta.url)),
  ...(process.env["NODEPOOL_IMAGES_FILE"] ? { imagesFile: process.env["NODEPOOL_IMAGES_FILE"] } : {}),
  continueOnError: /^(1|true)$/i.test(process.env["PULUMI_CONTINUE_ON_ERROR"] ?? ""),
  phase,
});

export const currentImages = outputs.currentImages;
export const nodeCounts = outputs.nodeCounts;
export const newBuilds = outputs.newBuilds;
export const unreadableProviders = outputs.unreadableProviders;
