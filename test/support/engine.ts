// Runs the Pulumi engine that `npm run engine` puts in .tools/bin, offline, for e2e
// tests. Mirrors scripts/engine/env.sh (keep them in step); docs/engine.md explains why.
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

export const projectRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const toolsBin = join(projectRoot, ".tools", "bin");
export const pulumiBin = join(toolsBin, "pulumi");

/** The binaries a run needs; the dynamic-provider one comes with pulumi. */
const engineBinaries = [
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-resource-pulumi-nodejs",
  "pulumi-resource-openstack",
];

export interface EngineEnvOptions {
  /** Directory of the file backend (default: <project>/.pulumi-state). */
  stateDir?: string;
  /** PULUMI_HOME (default: <project>/.tools/pulumi-home). Give tests their own. */
  pulumiHome?: string;
  /** Passphrase for stack secrets; default: the caller's, else an example one. */
  passphrase?: string;
}

/**
 * Environment for the local engine: .tools/bin first on PATH (plugins there are found
 * as "ambient" plugins), a file backend, no update check, no plugin downloads.
 */
export function engineEnv(options: EngineEnvOptions = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env["PULUMI_IGNORE_AMBIENT_PLUGINS"];
  delete env["PULUMI_ACCESS_TOKEN"];
  const stateDir = options.stateDir ?? join(projectRoot, ".pulumi-state");
  Object.assign(env, {
    PATH: `${toolsBin}:${process.env["PATH"] ?? ""}`,
    PULUMI_HOME: options.pulumiHome ?? join(projectRoot, ".tools", "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // As scripts/engine/env.sh: one failed create must not stop a round's deletes elsewhere.
    PULUMI_CONTINUE_ON_ERROR: process.env["PULUMI_CONTINUE_ON_ERROR"] ?? "true",
    PULUMI_CONFIG_PASSPHRASE:
      options.passphrase ?? process.env["PULUMI_CONFIG_PASSPHRASE"] ?? "nodepool-example-passphrase",
  });
  // The language host built here predates the way newer engines pass Pulumi.yaml's
  // runtime options (typescript: false, nodeargs: --import tsx), so node gets the tsx
  // loader through NODE_OPTIONS instead (see docs/engine.md).
  if (existsSync(join(projectRoot, ".tools", "stamps", "pulumi-language-nodejs"))) {
    const tsx = `--import ${join(projectRoot, "node_modules", "tsx", "dist", "loader.mjs")}`;
    const current = process.env["NODE_OPTIONS"] ?? "";
    env["NODE_OPTIONS"] = current.includes(tsx) ? current : `${tsx} ${current}`.trim();
    env["PULUMI_NODEJS_TRANSPILE_ONLY"] = "true";
  }
  return env;
}

/** The default engine environment (project state dir and PULUMI_HOME). */
export const env: NodeJS.ProcessEnv = engineEnv();

/** True when `npm run engine` has put every engine binary in .tools/bin. */
export function engineAvailable(): boolean {
  return engineBinaries.every((name) => {
    try {
      accessSync(join(toolsBin, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface PulumiResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunPulumiOptions {
  cwd: string;
  /** Full environment for the run; default `env`. Build it with engineEnv(). */
  env?: NodeJS.ProcessEnv;
  /** Kill the run after this long (default 10 minutes); code is then null. */
  timeoutMs?: number;
}

/** Runs .tools/bin/pulumi with args; never rejects on a non-zero exit. */
export function runPulumi(args: string[], options: RunPulumiOptions): Promise<PulumiResult> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(pulumiBin, args, {
      cwd: options.cwd,
      env: options.env ?? env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 10 * 60_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      resolvePromise({ code, stdout, stderr, ms: Math.round(performance.now() - started) });
    });
  });
}
