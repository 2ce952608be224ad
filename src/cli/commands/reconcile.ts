// `nodepool reconcile`: the long-running GitOps reconciler (src/reconciler/). It follows a
// branch, looks at the clouds every few seconds and runs `pulumi up` through the Automation
// API when the plan has work. Pulumi is imported only here, and only when it runs.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { LoadedConfig } from "../../config/definition.js";
import { openProvider, type ProviderClients } from "../../openstack/clients.js";
import type { OpenStackError } from "../../openstack/errors.js";
import { deleteNodes } from "../../nodes/delete.js";
import { readInventory } from "../../openstack/inventory.js";
import { nodesToDeleteNow } from "../../plan/fence.js";
import { plan } from "../../plan/plan.js";
import { err, ok, type Result } from "../../core/result.js";
import { GitSource } from "../../reconciler/git-source.js";
import { parseListen, serveHealth } from "../../reconciler/health.js";
import { Reconciler, type LogEvent, type ReconcilerDeps } from "../../reconciler/reconciler.js";
import { abortableSleep } from "../../reconciler/sleep.js";
import type { Command } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { wholeNumber } from "../numbers.js";

interface ReconcileArgs {
  repo: string;
  remote: string;
  branch: string;
  fetch: boolean;
  images: string;
  workDir?: string;
  stack: string;
  once: boolean;
  watchSeconds: number;
  fetchSeconds: number;
  lockWaitSeconds: number;
  unhealthyAfter: number;
  health: string;
  json: boolean;
}

export const reconcileCommand: Command<ReconcileArgs> = {
  command: "reconcile",
  describe: "Keep the clouds matching a git branch's images.yaml: run `pulumi up` whenever the plan has work",
  builder: (yargs) =>
    yargs
      .option("repo", {
        type: "string",
        default: ".",
        describe: "a clone of the repository holding images.yaml (its work tree and HEAD are never touched)",
      })
      .option("remote", {
        type: "string",
        default: "origin",
        describe: "the remote to fetch the branch from",
      })
      .option("branch", { type: "string", default: "main", describe: "the branch whose commits are applied" })
      .option("fetch", {
        type: "boolean",
        default: true,
        describe: "fetch the branch; --no-fetch follows the local branch that another tool keeps up to date",
      })
      .option("images", {
        type: "string",
        default: "images.yaml",
        describe: "images.yaml's path in the repository",
      })
      .option("work-dir", {
        type: "string",
        describe: "the Pulumi project directory (Pulumi.yaml and its stack config); default: --repo",
      })
      .option("stack", {
        type: "string",
        default: process.env["NODEPOOL_STACK"] ?? "dev",
        describe: "the stack to update (default: $NODEPOOL_STACK, else dev)",
      })
      .option("once", {
        type: "boolean",
        default: false,
        describe: "one look and at most one round, then exit",
      })
      .option("watch-seconds", {
        ...wholeNumber("--watch-seconds", "a positive whole number of seconds", 1),
        default: 2,
        describe: "look at the clouds this often between rounds",
      })
      .option("fetch-seconds", {
        ...wholeNumber("--fetch-seconds", "a positive whole number of seconds", 1),
        default: 30,
        describe: "fetch the branch this often",
      })
      .option("lock-wait-seconds", {
        ...wholeNumber("--lock-wait-seconds", "a whole number of seconds", 0),
        default: 900,
        describe: "wait this long for a stack another update (CI, a second reconciler) holds",
      })
      .option("unhealthy-after", {
        ...wholeNumber("--unhealthy-after", "a positive whole number of seconds", 1),
        default: 900,
        describe: "/healthz fails when no round or look succeeded for this long",
      })
      .option("health", {
        type: "string",
        default: "127.0.0.1:9180",
        describe:
          "serve GET /healthz and POST /look (jobs with NODEPOOL_RECONCILER_URL: look now) on " +
          "HOST:PORT (port 0: any free port, printed; 'off': none)",
      })
      .option("json", { type: "boolean", default: false, describe: "log one JSON object per line" })
      .example([
        ["$0 reconcile --stack prod", "follow origin/main, update stack prod whenever there is work"],
        [
          "$0 reconcile --once --stack prod",
          "one round if needed, as CI's schedule runs it (waits out locks)",
        ],
        ["$0 reconcile --no-fetch --repo /srv/config", "follow /srv/config's main, kept by git-sync"],
      ])
      .epilogue(
        "Needs: a clone with a remote (or --no-fetch), clouds.yaml for the providers, the Pulumi CLI on " +
          "PATH, and the stack's backend (pulumi login; docs/state-backend.md). It logs one line per round " +
          "with what it did, why, and how long it took; a commit whose images.yaml is invalid is reported " +
          "and never applied. SIGTERM or SIGINT ends the round in progress cleanly (the stack's lock is " +
          "released) and exits 0. docs/reconciler.md has a systemd unit.\n\n" +
          "Exit codes: 0 stopped (with --once: the clouds match or the round succeeded), 1 the round or look " +
          "failed (with --once), or no valid commit, 2 wrong usage.",
      ),
  run: async (args, io) => {
    const listen = args.health === "off" ? undefined : parseListen(args.health);
    if (args.health !== "off" && listen === undefined) {
      io.err(`nodepool reconcile: --health wants HOST:PORT or off, not "${args.health}"`);
      return EXIT.usage;
    }
    const repo = resolve(args.repo);
    const workDir = resolve(args.workDir ?? repo);
    if (!existsSync(join(workDir, "Pulumi.yaml"))) {
      io.err(`nodepool reconcile: no Pulumi.yaml in ${workDir} (give the project with --work-dir)`);
      return EXIT.usage;
    }
    const key = createHash("sha256").update(`${repo}\0${args.stack}`).digest("hex").slice(0, 12);
    const source = new GitSource({
      repo,
      remote: args.remote,
      branch: args.branch,
      fetch: args.fetch,
      imagesPath: args.images,
      appliedDir: join(tmpdir(), `nodepool-reconcile-${key}`, "applied"),
    });
    // Imported here: Pulumi's SDK takes a second to load, which no other command should pay.
    const { RoundRunner } = await import("../../reconciler/round.js");
    const { nodepoolProgram } = await import("../../pulumi/entry.js");
    const rounds = new RoundRunner({
      workDir,
      stack: args.stack,
      lockWaitSeconds: args.lockWaitSeconds,
      // The program in this process: a round starts declaring seconds sooner (docs/decisions.md).
      program: (phase) =>
        nodepoolProgram({ projectDir: workDir, imagesFile: source.imagesFile, continueOnError: true, phase }),
      env: {
        NODEPOOL_IMAGES_FILE: source.imagesFile,
        // One failed create must not stop the round's deletes (docs/pulumi.md).
        PULUMI_CONTINUE_ON_ERROR: "true",
        NODEPOOL_TIMINGS: "1",
      },
    });
    const log = (event: LogEvent) =>
      io.out(args.json ? JSON.stringify({ at: new Date().toISOString(), ...event }) : formatEvent(event));
    const reconciler = new Reconciler(
      { source, rounds, ...cloudLooks(() => rounds.owner()), log, nowMs: Date.now, sleep: abortableSleep },
      {
        watchSeconds: args.watchSeconds,
        fetchSeconds: args.fetchSeconds,
        idleRepeatSeconds: 60,
        unhealthyAfterSeconds: args.unhealthyAfter,
        once: args.once,
      },
    );
    const stop = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      if (stop.signal.aborted) return;
      io.err(`nodepool reconcile: ${signal}: ending the round in progress, then exiting`);
      stop.abort();
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    let health: Awaited<ReturnType<typeof serveHealth>> | undefined;
    try {
      if (listen) {
        try {
          health = await serveHealth(
            listen,
            () => reconciler.status(),
            () => reconciler.poke(),
          );
        } catch (error) {
          io.err(`nodepool reconcile: cannot serve /healthz on ${args.health}: ${(error as Error).message}`);
          return EXIT.failed;
        }
        io.err(`nodepool reconcile: /healthz on http://${health.address}/healthz`);
      }
      return await reconciler.run(stop.signal);
    } finally {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      await health?.close();
      await source.close();
    }
  },
};

/**
 * The look between rounds (the inventory and a plan), and the sweep during a round: the same
 * look, then Nova deletes for the nodes its plan drops that no claim can take. Clients are
 * kept, so tokens are reused.
 */
function cloudLooks(owner: () => Promise<string | undefined>): Pick<ReconcilerDeps, "look" | "sweep"> {
  const opened = new Map<string, Result<ProviderClients, OpenStackError>>();
  const clientsFor = (config: LoadedConfig) => {
    const clients: Record<string, Result<ProviderClients, OpenStackError>> = {};
    for (const provider of config.providers) {
      const key = JSON.stringify(provider);
      if (!opened.has(key)) opened.set(key, openProvider(provider));
      clients[provider.name] = opened.get(key)!;
    }
    return clients;
  };
  const read = async (config: LoadedConfig, stack: string | undefined) => {
    const clients = clientsFor(config);
    const now = Math.floor(Date.now() / 1000);
    const inventory = await readInventory(config, clients, now);
    return { clients, inventory, plan: plan(config, inventory, stack, now) };
  };
  // Deletes already sent, by server id: Nova lists a server for a while after its delete.
  const sent = new Set<string>();
  return {
    // The stack's own plan: the work only it would do (ownership.ts). Without a readable
    // owner the round refuses anyway, and the look plans for every stack.
    look: async (config) => (await read(config, await owner())).plan,
    sweep: async (config) => {
      const stack = await owner();
      if (stack === undefined) return [];
      const { clients, inventory, plan: made } = await read(config, stack);
      const listed = new Set(
        Object.values(inventory.providers).flatMap((p) => (p.readable ? p.nodes.map((n) => n.serverId) : [])),
      );
      for (const id of sent) if (!listed.has(id)) sent.delete(id);
      const doomed = nodesToDeleteNow(made, inventory).filter((node) => !sent.has(node.serverId));
      const { deleted, problems } = await deleteNodes((name) => {
        const opened = clients[name];
        return opened?.ok ? ok(opened.value) : err(opened?.error.message ?? `no provider ${name}`);
      }, doomed);
      for (const node of deleted) sent.add(node.serverId);
      if (problems.length > 0)
        throw new Error(`could not delete ${problems.join("; ")} (the round's delete will)`);
      return deleted.map((node) => `${node.provider}/${node.name}`).sort();
    },
  };
}

function formatEvent(event: LogEvent): string {
  const at = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  switch (event.event) {
    case "commit":
      return `${at} applying ${event.commit.slice(0, 12)}${event.previous ? ` (was ${event.previous.slice(0, 12)})` : ""}`;
    case "rejected":
      return `${at} NOT applying ${event.commit.slice(0, 12)}: its images.yaml is invalid; the last good commit stays applied\n  ${event.problems.join("\n  ")}`;
    case "git-error":
    case "waiting-for-commit":
    case "look-failed":
      return `${at} ${event.event}: ${event.message}`;
    case "providers-unreadable":
      return event.providers.length === 0
        ? `${at} every provider can be read again`
        : `${at} could not read ${event.providers.map((u) => `${u.provider} (${u.error})`).join(", ")}: their resources are kept as they are, the other providers go on`;
    case "round-started":
      return `${at} round ${event.round} started (${event.commit}): ${event.why}`;
    case "swept":
      return `${at} round ${event.round}: deleted at once, released by their jobs: ${event.nodes.join(", ")}`;
    case "sweep-failed":
      return `${at} round ${event.round}: sweep failed: ${event.message}`;
    case "stopped":
      return `${at} stopped after ${event.rounds} round(s)`;
    case "round": {
      const t = event.timings;
      const parts = [
        t.lockWait >= 1
          ? `waited ${Math.round(t.lockWait)} s for the lock (${event.lockHolder ?? "another update"})`
          : undefined,
        t.firstResource !== undefined ? `program ${t.firstResource.toFixed(1)} s` : undefined,
        t.firstCreate !== undefined ? `first create ${t.firstCreate.toFixed(1)} s` : undefined,
      ].filter(Boolean);
      const changes = event.changes
        ? Object.entries(event.changes)
            .filter(([op]) => op !== "same")
            .map(([op, n]) => `${op} ${n}`)
            .join(", ") || "no changes"
        : undefined;
      const result =
        event.outcome === "done"
          ? `done in ${event.seconds} s (${changes}${parts.length ? `; ${parts.join(", ")}` : ""})`
          : event.outcome === "cancelled"
            ? `cancelled after ${event.seconds} s`
            : `${event.outcome} after ${event.seconds} s, retry in ${event.retryInSeconds} s: ${event.message}`;
      return `${at} round ${event.round} ${event.commit} ${result}: ${event.why}`;
    }
  }
}
