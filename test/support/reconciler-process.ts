// `nodepool reconcile --json` as a child process for e2e tests and benchmarks: its log lines
// parsed as they arrive, its /healthz on a free port, and a clean stop.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { LogEvent, ReconcilerStatus } from "../../src/reconciler/reconciler.js";
import { projectRoot } from "./engine.js";

export type LoggedEvent = LogEvent & { at: string };

export interface ReconcilerOptions {
  repo: string;
  stack: string;
  env: NodeJS.ProcessEnv;
  /** More flags (--watch-seconds, --once, …). */
  args?: string[];
}

export class ReconcilerProcess {
  readonly events: LoggedEvent[] = [];
  stderr = "";
  /** Lines of stdout that were not JSON (there should be none). */
  readonly stray: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private healthUrl?: string;

  constructor(options: ReconcilerOptions) {
    const args = [join(projectRoot, "bin", "nodepool.js"), "reconcile", "--json"];
    args.push("--repo", options.repo, "--stack", options.stack, "--health", "127.0.0.1:0");
    this.child = spawn(process.execPath, [...args, ...(options.args ?? [])], {
      cwd: options.repo,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let pending = "";
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines.filter((l) => l.trim() !== "")) {
        try {
          this.events.push(JSON.parse(line) as LoggedEvent);
        } catch {
          this.stray.push(line);
        }
      }
    });
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
      this.healthUrl ??= /\/healthz on (http:\/\/\S+)/.exec(this.stderr)?.[1];
    });
    this.exited = new Promise((resolve) => this.child.on("close", (code) => resolve(code)));
  }

  /** Its HTTP endpoint (http://127.0.0.1:PORT/), once it said where: for NODEPOOL_RECONCILER_URL. */
  get endpoint(): string | undefined {
    return this.healthUrl?.replace(/healthz$/, "");
  }

  /** The first event from index `from` on that matches, waiting up to timeoutMs for it. */
  async waitFor<E extends LoggedEvent>(
    what: string,
    match: (event: LoggedEvent) => event is E,
    options: { from?: number; timeoutMs: number },
  ): Promise<{ event: E; index: number }> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const index = this.events.findIndex((e, i) => i >= (options.from ?? 0) && match(e));
      if (index >= 0) return { event: this.events[index] as E, index };
      if (this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(
          `reconciler: no ${what} after ${options.timeoutMs} ms (exit ${this.child.exitCode})\n` +
            `events:\n${this.events.map((e) => JSON.stringify(e)).join("\n")}\nstderr:\n${this.stderr}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** The next finished round after index `from`. */
  nextRound(from: number, timeoutMs: number) {
    return this.waitFor("finished round", isRound, { from, timeoutMs });
  }

  nextRoundStarted(from: number, timeoutMs: number) {
    return this.waitFor("round start", isRoundStarted, { from, timeoutMs });
  }

  async health(): Promise<{ status: number; body: ReconcilerStatus }> {
    const deadline = Date.now() + 30_000;
    while (this.healthUrl === undefined) {
      if (Date.now() > deadline) throw new Error(`reconciler never served /healthz\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const response = await fetch(this.healthUrl);
    return { status: response.status, body: (await response.json()) as ReconcilerStatus };
  }

  /** Resolves once the reconciler is between rounds and stays so for two looks (3 s apart or more). */
  async idle(timeoutMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const first = await this.health();
      if (!first.body.roundInProgress) {
        await new Promise((resolve) => setTimeout(resolve, 4000));
        const again = await this.health();
        if (!again.body.roundInProgress && again.body.rounds === first.body.rounds)
          return (Date.now() - started) / 1000;
      }
      if (Date.now() - started > timeoutMs) throw new Error(`reconciler: not idle within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** Sends the signal and resolves with the exit code (SIGKILL after timeoutMs). */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 120_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill(signal);
    const killer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(killer);
    }
  }
}

export type RoundEvent = Extract<LoggedEvent, { event: "round" }>;
export type RoundStartedEvent = Extract<LoggedEvent, { event: "round-started" }>;

export const isRound = (e: LoggedEvent): e is RoundEvent => e.event === "round";
export const isRoundStarted = (e: LoggedEvent): e is RoundStartedEvent => e.event === "round-started";
