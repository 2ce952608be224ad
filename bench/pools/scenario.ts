// One benchmark pool on the local cloud: its own stack, state, git repository and provider
// name (test/support/e2e-reconcile.ts), a ready build seeded so no image is built, and
// `nodepool reconcile` with its default intervals following the repository.
import { randomBytes } from "node:crypto";
import { E2eRun, runCli, type CliResult } from "../../test/support/e2e-reconcile.js";
import { seedReadyBuild } from "../../test/support/e2e-seed.js";
import { PoolWatch, waitUntil } from "../../test/support/pool-watch.js";
import { isRound, ReconcilerProcess, type RoundEvent } from "../../test/support/reconciler-process.js";

/** The cloud entry benchmarks use: a project no test uses (its quota is 100 instances). */
export const BENCH_CLOUD = "rax-iad";

/** Set from the command line (run.ts): whether jobs poke the reconciler (`--no-poke`). */
export const benchSettings = { poke: true };

export interface PoolShape {
  minReady: number;
  maxServers: number;
}

export class BenchPool {
  readonly run: E2eRun;
  readonly provider: string;
  readonly watch: PoolWatch;
  reconciler?: ReconcilerProcess;

  /**
   * `poke`: claims and releases tell the reconciler to look now (NODEPOOL_RECONCILER_URL), as
   * where jobs can reach it; without, it finds them on its next look (every 2 s).
   */
  constructor(
    readonly shape: PoolShape,
    readonly poke = benchSettings.poke,
  ) {
    const hex = randomBytes(3).toString("hex");
    this.provider = `bench${hex}`;
    this.run = new E2eRun(hex, [{ name: this.provider, cloud: BENCH_CLOUD, ...shape }]);
    this.watch = new PoolWatch(this.run.clients[this.provider]!, this.provider);
  }

  get label(): string {
    return this.run.label;
  }

  /** Seeds the build, makes the stack and repository, starts the reconciler, waits until full. */
  async start(): Promise<void> {
    await seedReadyBuild(this.run, this.provider, Math.floor(Date.now() / 1000) - 1800);
    await this.run.initStack();
    this.run.initGit();
    this.reconciler = new ReconcilerProcess({ repo: this.run.dir, stack: this.run.stack, env: this.run.env });
    const full = async () => (await this.watch.ready()) >= this.shape.minReady;
    await waitUntil(`${this.shape.minReady} ready`, full, 600_000);
    await this.idle();
  }

  async stop(): Promise<void> {
    await this.reconciler?.stop("SIGTERM");
    await this.run.teardown();
  }

  /** Until the reconciler is between rounds and stays there for a look or two. */
  idle(): Promise<number> {
    return this.reconciler!.idle(600_000);
  }

  /** A claim as a job runs it; any --wait in `extra` must stay under 15 minutes. */
  claim(extra: string[] = []): Promise<CliResult> {
    const args = ["node", "claim", this.label, "--json", ...extra, "-f", this.run.imagesFile];
    return runCli(args, this.jobEnv(), 16 * 60_000);
  }

  release(idOrName: string): Promise<CliResult> {
    return runCli(["node", "release", idOrName, "-f", this.run.imagesFile], this.jobEnv());
  }

  /** The environment of a job's claim or release. */
  private jobEnv(): NodeJS.ProcessEnv {
    const endpoint = this.poke ? this.reconciler?.endpoint : undefined;
    return endpoint ? { ...this.run.env, NODEPOOL_RECONCILER_URL: endpoint } : this.run.env;
  }

  rounds(): RoundEvent[] {
    return this.reconciler?.events.filter(isRound) ?? [];
  }
}

export function claimedName(result: CliResult): string {
  if (result.code !== 0) throw new Error(`node claim: exit ${result.code}\n${result.stdout}${result.stderr}`);
  return (JSON.parse(result.stdout) as { name: string }).name;
}
