// Support for test/e2e/reconcile.test.ts: a throwaway Pulumi project of the nodepool program
// (own state, PULUMI_HOME, stack config and images.yaml), the nodepool CLI, and what the
// local cloud holds for one run, found by the run's unique provider names and name prefix.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { META } from "../../src/core/metadata.js";
import { parseRequestDescription, REQUEST_DEVICE_OWNER } from "../../src/core/node-request.js";
import type { ProviderClients } from "../../src/openstack/clients.js";
import type { GlanceImage } from "../../src/openstack/glance.js";
import type { NovaServer } from "../../src/openstack/nova.js";
import { engineEnv, projectRoot, runPulumi, type PulumiResult } from "./engine.js";
import { LOCAL_CLOUDS_FILE, must, open } from "./openstack-cloud.js";

export interface RunProvider {
  /** nodepool provider name: unique per run, so no other test's servers count against it. */
  name: string;
  /** clouds.yaml entry of the local cloud. */
  cloud: string;
  minReady: number;
  maxServers: number;
}

export interface RunSettings {
  providers: RunProvider[];
  /** image → provider → version */
  pins?: Record<string, Record<string, number>>;
  /** More images.yaml images (kebab-case keys, as written there), after the run's own. */
  extraImages?: Record<string, unknown>[];
  /** More keys of the run's label (kebab-case, as written there): `max-hold-age`, … */
  labelExtra?: Record<string, unknown>;
}

/** One run's names, directories and engine environment. */
export class E2eRun {
  readonly hex: string;
  readonly stack: string;
  readonly image: string;
  readonly label: string;
  /** Every server and image this run makes is named with this prefix. */
  readonly prefix: string;
  readonly dir: string;
  readonly imagesFile: string;
  /** The stack's `nodepool:owner`: the nodepool_stack tag on what it creates. */
  readonly owner: string;
  readonly env: NodeJS.ProcessEnv;
  readonly clients: Record<string, ProviderClients> = {};
  settings: RunSettings;
  stackCreated = false;
  private calls = 0;

  constructor(hex: string, providers: RunProvider[]) {
    this.hex = hex;
    this.stack = `e2e${hex}`;
    this.image = `e2e-${hex}`;
    this.label = `e2e-${hex}-pool`;
    this.prefix = `e2e-${hex}`;
    this.settings = { providers };
    // Under the project (git-ignored .tools/), so node finds the project's node_modules.
    mkdirSync(join(projectRoot, ".tools"), { recursive: true });
    this.dir = mkdtempSync(join(projectRoot, ".tools", `e2e-reconcile-${hex}-`));
    this.imagesFile = join(this.dir, "images.yaml");
    mkdirSync(join(this.dir, "state"));
    mkdirSync(join(this.dir, "home"));
    // The project's Pulumi.yaml, pointing at the program in src/ and keeping stack config
    // files here instead of stacks/.
    const project = parseYaml(readFileSync(join(projectRoot, "Pulumi.yaml"), "utf8")) as Record<
      string,
      unknown
    >;
    project["main"] = relative(this.dir, join(projectRoot, String(project["main"])));
    delete project["stackConfigDir"];
    writeFileSync(join(this.dir, "Pulumi.yaml"), stringifyYaml(project));
    // Every stack needs an owner (docs/pulumi.md); a team writes it once in the stack's
    // file, as this does. `pulumi stack init` keeps the file and adds its salt.
    this.owner = `${String(project["name"])}/${this.stack}`;
    writeFileSync(
      join(this.dir, `Pulumi.${this.stack}.yaml`),
      stringifyYaml({ config: { "nodepool:owner": this.owner } }),
    );
    copyFileSync(join(projectRoot, "test", "fixtures", "e2e", "setup.sh"), join(this.dir, "setup.sh"));
    this.env = {
      ...engineEnv({
        stateDir: join(this.dir, "state"),
        pulumiHome: join(this.dir, "home"),
        passphrase: `e2e-${hex}-passphrase`,
      }),
      OS_CLIENT_CONFIG_FILE: LOCAL_CLOUDS_FILE,
    };
    for (const p of providers) this.clients[p.name] = open(p.cloud, p.name);
    this.writeImages();
  }

  provider(name: string): RunProvider {
    const found = this.settings.providers.find((p) => p.name === name);
    if (!found) throw new Error(`no provider ${name}`);
    return found;
  }

  /** Writes images.yaml from the current settings. */
  writeImages(): void {
    const { providers, pins, extraImages, labelExtra } = this.settings;
    const config = {
      providers: providers.map((p) => ({
        name: p.name,
        cloud: p.cloud,
        "max-servers": p.maxServers,
        flavor: "m1.nodepool",
        networks: ["private"],
        "template-domain": "template.openstack.org",
      })),
      images: [
        {
          name: this.image,
          "base-image": "ubuntu-precise",
          setup: "setup.sh",
          "rebuild-age": "24h",
          "build-timeout": "10m",
          keep: 2,
          providers: providers.map((p) => p.name),
        },
        ...(extraImages ?? []),
      ],
      labels: [
        {
          name: this.label,
          image: this.image,
          "min-ready": Object.fromEntries(providers.map((p) => [p.name, p.minReady])),
          "max-ready-age": "24h",
          ...labelExtra,
        },
      ],
      pins: pins ?? {},
      rejected: {},
    };
    writeFileSync(this.imagesFile, stringifyYaml(config));
  }

  /** With E2E_OUTPUT_DIR set, each run's output is also saved there (for docs/pulumi.md). */
  async pulumi(
    args: string[],
    options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
  ): Promise<PulumiResult> {
    const result = await runPulumi([...args, "--non-interactive", "--color=never"], {
      cwd: this.dir,
      env: { ...this.env, ...options.env },
      timeoutMs: options.timeoutMs ?? 5 * 60_000,
    });
    const outputDir = process.env["E2E_OUTPUT_DIR"];
    if (outputDir) {
      mkdirSync(outputDir, { recursive: true });
      const file = `${String(++this.calls).padStart(2, "0")}-${args.slice(0, 2).join("-")}.txt`;
      writeFileSync(join(outputDir, file), `$ pulumi ${args.join(" ")}\n${result.stdout}${result.stderr}`);
    }
    return result;
  }

  /** `node bin/nodepool.js ARGS -f images.yaml`. */
  nodepool(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    return runCli([...args, "-f", this.imagesFile], { ...this.env, ...env });
  }

  /**
   * The run's servers in a provider (by nodepool_provider: the name is unique to this run).
   * A server whose delete Nova has done is gone, though Nova may list it a moment longer in
   * status DELETED (its record is removed after): the openstack provider's delete returns on
   * that status, so right after a `pulumi up` the list can still show it.
   */
  async servers(provider: string): Promise<NovaServer[]> {
    const all = must(await this.clients[provider]!.nova.listServers());
    return all.filter((s) => s.metadata?.[META.provider] === provider && s.status !== "DELETED");
  }

  async images(provider: string): Promise<GlanceImage[]> {
    return must(await this.clients[provider]!.glance.listImages({ filters: { [META.provider]: provider } }));
  }

  /** `pulumi stack init`: the stack file written by the constructor keeps its owner. */
  async initStack(): Promise<void> {
    const init = await this.pulumi(["stack", "init", this.stack]);
    if (init.code !== 0) throw new Error(`pulumi stack init: ${init.stdout}${init.stderr}`);
    this.stackCreated = true;
  }

  /**
   * Points `pulumi up` at the run's images.yaml and polls snapshots every second (the defaults
   * suit a team's stack, not a test's), as `pulumi config set` does.
   */
  async configureStack(): Promise<void> {
    for (const [key, value] of [
      ["nodepool:imagesFile", this.imagesFile],
      ["nodepool:snapshotPollSeconds", "1"],
    ] as const) {
      const set = await this.pulumi(["config", "set", key, value]);
      if (set.code !== 0) throw new Error(`pulumi config set ${key}: ${set.stdout}${set.stderr}`);
    }
  }

  /** Destroys the stack (if made), deletes what is left in the cloud, removes the directory. */
  async teardown(): Promise<void> {
    if (this.stackCreated) {
      const destroy = await this.pulumi(["destroy", "--yes", "--skip-preview"]);
      if (destroy.code !== 0)
        console.log(`cleanup: pulumi destroy failed\n${destroy.stdout}${destroy.stderr}`);
      await this.pulumi(["stack", "rm", "--yes", "--force"]);
    }
    const leftovers = await this.deleteLeftovers().catch((error: unknown) => [`cleanup failed: ${error}`]);
    if (leftovers.length > 0) console.log(`cleanup deleted leftovers: ${leftovers.join(", ")}`);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Makes the run's directory a git repository whose main is pushed to a bare remote in it
   * (remote.git), as a reconciler follows a team's repository.
   */
  initGit(): void {
    writeFileSync(join(this.dir, ".gitignore"), "state/\nhome/\nremote.git/\n");
    const git = (...args: string[]) => execFileSync("git", args, { cwd: this.dir, stdio: "pipe" });
    execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=main", "remote.git"], {
      cwd: this.dir,
    });
    git("init", "--quiet", "--initial-branch=main");
    git("config", "user.email", "e2e@nodepool.test");
    git("config", "user.name", "e2e");
    git("remote", "add", "origin", join(this.dir, "remote.git"));
    this.commit("e2e: first images.yaml");
  }

  /** Commits every change in the directory and pushes main; returns the commit. */
  commit(message: string): string {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: this.dir, stdio: "pipe" }).toString();
    git("add", "-A");
    git("commit", "--quiet", "--allow-empty", "-m", message);
    git("push", "--quiet", "origin", "main");
    return git("rev-parse", "HEAD").trim();
  }

  /** Deletes whatever of this run is still in the cloud: by provider metadata and name prefix. */
  async deleteLeftovers(): Promise<string[]> {
    const deleted: string[] = [];
    for (const p of this.settings.providers) {
      const clients = this.clients[p.name]!;
      const requests = must(await clients.neutron.listPorts({ deviceOwner: REQUEST_DEVICE_OWNER })).filter(
        (port) => parseRequestDescription(port.description)?.label.startsWith(this.prefix),
      );
      for (const port of requests) {
        await clients.neutron.deletePort(port.id);
        deleted.push(`request ${port.id}`);
      }
      const servers = must(await clients.nova.listServers()).filter(
        (s) => s.metadata?.[META.provider] === p.name || s.name.startsWith(this.prefix),
      );
      const images = must(await clients.glance.listImages()).filter(
        (i) => i[META.provider] === p.name || i.name?.startsWith(this.prefix),
      );
      for (const s of servers) {
        await clients.nova.deleteServer(s.id);
        deleted.push(`server ${s.name}`);
      }
      for (const i of images) {
        await clients.glance.deleteImage(i.id);
        deleted.push(`image ${i.name}`);
      }
    }
    return deleted;
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A run's exit, time and the last lines of its output, for an assertion's message. */
export function showRun(result: CliResult | PulumiResult, lines = 40): string {
  const tail = (text: string) => text.split("\n").slice(-lines).join("\n");
  return `exit ${result.code} after ${result.ms} ms\n--- stdout\n${tail(result.stdout)}\n--- stderr\n${tail(result.stderr)}`;
}

/** Runs the CLI; killed (SIGTERM) after timeoutMs, which a claim's --wait must fit in. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, "bin", "nodepool.js"), ...args], {
      cwd: projectRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: timeoutMs,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) }),
    );
  });
}

/**
 * Counts a provider's servers of this run about once a second while started, keeping the
 * highest count seen (and when), until stopped. A failed list is recorded, not thrown.
 */
export class ServerCountPoller {
  max = 0;
  samples = 0;
  errors: string[] = [];
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly count: () => Promise<number>) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const started = Date.now();
        try {
          const n = await this.count();
          this.samples++;
          this.max = Math.max(this.max, n);
        } catch (error) {
          this.errors.push(String(error));
        }
        const wait = Math.max(0, 1000 - (Date.now() - started));
        await new Promise((done) => setTimeout(done, wait));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/** Step timings, printed as a table at the end. */
export class Timings {
  readonly rows: { step: string; ms: number }[] = [];

  async time<T>(step: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.rows.push({ step, ms: Math.round(performance.now() - started) });
    }
  }

  add(step: string, ms: number): void {
    this.rows.push({ step, ms });
  }

  table(): string {
    const width = Math.max(4, ...this.rows.map((r) => r.step.length));
    const lines = this.rows.map((r) => `${r.step.padEnd(width)}  ${(r.ms / 1000).toFixed(1).padStart(7)} s`);
    return [`${"step".padEnd(width)}  ${"time".padStart(9)}`, ...lines].join("\n");
  }
}
