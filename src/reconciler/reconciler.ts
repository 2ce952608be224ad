// The loop of `nodepool reconcile`: follow the branch, look at the clouds every few seconds,
// and run a round (`pulumi up`) as soon as the plan has work. One round at a time; what
// happens during a round is in the next look, so it is coalesced into the next round. Rounds
// that fail back off. Nothing is kept between runs: the cloud, git and Pulumi's state are
// the whole truth, so a restart just looks again.
import type { LoadedConfig } from "../config/definition.js";
import { nextRound } from "../plan/next-round.js";
import type { Plan } from "../plan/types.js";
import type { GitSource } from "./git-source.js";
import { backoffSeconds, isHealthy, roundSummary } from "./policy.js";
import type { RoundOutcome, RoundRunner, RoundTimings } from "./round.js";

export interface ReconcilerDeps {
  source: Pick<GitSource, "sync" | "applied">;
  rounds: Pick<RoundRunner, "run">;
  /** Reads the inventory and plans with the applied config: the cheap look between rounds. */
  look: (config: LoadedConfig) => Promise<Plan>;
  /**
   * While a round runs: delete the nodes a fresh look's plan drops that no claim can take
   * (src/plan/fence.ts nodesToDeleteNow), so a node its job released goes at once, not after
   * the round and the next one. Returns the names it sent deletes for.
   */
  sweep?: (config: LoadedConfig) => Promise<string[]>;
  log: (event: LogEvent) => void;
  nowMs: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface ReconcilerSettings {
  watchSeconds: number;
  fetchSeconds: number;
  /** A round that changed nothing is not repeated for the same work sooner than this. */
  idleRepeatSeconds: number;
  unhealthyAfterSeconds: number;
  /** One look and at most one round, then return (CI's schedule, scripts). */
  once: boolean;
}

export type LogEvent =
  | { event: "commit"; commit: string; previous?: string }
  | { event: "rejected"; commit: string; problems: string[] }
  | { event: "git-error"; message: string }
  | { event: "waiting-for-commit"; message: string }
  | { event: "look-failed"; message: string }
  /** Which providers could not be read changed: their resources are kept as they are. */
  | { event: "providers-unreadable"; providers: { provider: string; error: string }[] }
  | { event: "round-started"; round: number; commit: string; why: string }
  | { event: "swept"; round: number; nodes: string[] }
  | { event: "sweep-failed"; round: number; message: string }
  | {
      event: "round";
      round: number;
      commit: string;
      why: string;
      outcome: RoundOutcome["kind"];
      seconds: number;
      changes?: Record<string, number>;
      timings: RoundTimings;
      lockHolder?: string;
      message?: string;
      retryInSeconds?: number;
    }
  | { event: "stopped"; rounds: number };

/** What /healthz and a status page read. */
export interface ReconcilerStatus {
  startedMs: number;
  healthy: boolean;
  appliedCommit?: string;
  rounds: number;
  consecutiveFailures: number;
  lastSuccessMs?: number;
  lastRound?: Extract<LogEvent, { event: "round" }>;
  lastProblem?: string;
  roundInProgress: boolean;
}

/** Pokes never make looks closer together than this: a storm of them is one look at a time. */
export const MIN_LOOK_SPACING_MS = 500;

export class Reconciler {
  private readonly startedMs: number;
  /** Aborted by a poke: ends the look interval's sleep (between rounds, or a sweep's in one). */
  private wake = new AbortController();
  private pokedWhileBusy = false;
  private lastLookMs = -Infinity;
  private rounds = 0;
  private failures = 0;
  private lastSuccessMs?: number;
  private lastRound?: Extract<LogEvent, { event: "round" }>;
  private lastProblem?: string;
  /** The providers the last look could not read, joined ("" when all could be). */
  private unreadableKey = "";
  private roundInProgress = false;
  private lastFetchMs = -Infinity;
  private newCommit = false;
  /** Work of the last round that changed nothing, and when: not repeated at once. */
  private idleWork?: { summary: string; atMs: number };

  constructor(
    private readonly deps: ReconcilerDeps,
    private readonly settings: ReconcilerSettings,
  ) {
    this.startedMs = deps.nowMs();
  }

  status(): ReconcilerStatus {
    return {
      startedMs: this.startedMs,
      healthy: isHealthy({
        lastSuccessMs: this.lastSuccessMs,
        startedMs: this.startedMs,
        nowMs: this.deps.nowMs(),
        unhealthyAfterMs: this.settings.unhealthyAfterSeconds * 1000,
      }),
      appliedCommit: this.deps.source.applied?.commit,
      rounds: this.rounds,
      consecutiveFailures: this.failures,
      lastSuccessMs: this.lastSuccessMs,
      lastRound: this.lastRound,
      lastProblem: this.lastProblem,
      roundInProgress: this.roundInProgress,
    };
  }

  /**
   * Something changed that the next look should see now (a claim, a release, a new request:
   * `POST /look`, docs/reconciler.md): the look interval's wait ends at once, or, when none is
   * under way, the next one is skipped.
   */
  poke(): void {
    this.pokedWhileBusy = true;
    this.wake.abort();
  }

  /** Waits out the look interval, unless a poke ends it (never sooner than MIN_LOOK_SPACING_MS). */
  private async lookInterval(stop: AbortSignal): Promise<void> {
    const { deps, settings } = this;
    if (!this.pokedWhileBusy) {
      await deps.sleep(settings.watchSeconds * 1000, AbortSignal.any([stop, this.wake.signal]));
    }
    if (this.wake.signal.aborted) this.wake = new AbortController();
    this.pokedWhileBusy = false;
    if (stop.aborted) return;
    const early = this.lastLookMs + MIN_LOOK_SPACING_MS - deps.nowMs();
    if (early > 0) await deps.sleep(early, stop);
  }

  /** Runs until `stop` aborts (or one pass with `once`); resolves with an exit code. */
  async run(stop: AbortSignal): Promise<number> {
    const { deps, settings } = this;
    while (!stop.aborted) {
      await this.syncWhenDue();
      const applied = deps.source.applied;
      if (applied === undefined) {
        if (settings.once) return 1;
        await deps.sleep(settings.fetchSeconds * 1000, stop);
        continue;
      }
      let plan: Plan;
      try {
        this.lastLookMs = deps.nowMs();
        plan = await deps.look(applied.config);
      } catch (error) {
        this.problem({
          event: "look-failed",
          message: error instanceof Error ? error.message : String(error),
        });
        this.failures++;
        if (settings.once) return 1;
        await deps.sleep(backoffSeconds(this.failures) * 1000, stop);
        continue;
      }
      this.noteUnreadable(plan);
      const refused = refusal(plan);
      if (refused !== undefined) {
        // The program would declare nothing: no round, but it counts as a failure (health).
        this.problem({ event: "look-failed", message: refused });
        this.failures++;
        if (settings.once) return 1;
        await deps.sleep(backoffSeconds(this.failures) * 1000, stop);
        continue;
      }
      const why = this.reasonForRound(plan);
      if (why === undefined) {
        this.lastSuccessMs = deps.nowMs();
        if (settings.once) return 0;
        await this.lookInterval(stop);
        continue;
      }
      const outcome = await this.round(applied.commit, applied.config, why, stop);
      if (outcome.kind === "cancelled") break;
      if (settings.once) return outcome.kind === "done" ? 0 : 1;
      if (outcome.kind !== "done") await deps.sleep(backoffSeconds(this.failures) * 1000, stop);
    }
    deps.log({ event: "stopped", rounds: this.rounds });
    return 0;
  }

  /** Why a round is due now, from the look's plan; undefined when nothing is to be done. */
  private reasonForRound(plan: Plan): string | undefined {
    const newCommit = this.newCommit;
    const next = nextRound(plan);
    if (next.kind !== "work") return newCommit ? "new commit" : undefined;
    const summary = roundSummary(plan);
    const idle = this.idleWork;
    if (
      !newCommit &&
      idle !== undefined &&
      idle.summary === summary &&
      this.deps.nowMs() - idle.atMs < this.settings.idleRepeatSeconds * 1000
    )
      return undefined;
    return newCommit ? `new commit; ${summary}` : summary;
  }

  private async round(
    commit: string,
    config: LoadedConfig,
    why: string,
    stop: AbortSignal,
  ): Promise<RoundOutcome> {
    const { deps } = this;
    const number = ++this.rounds;
    this.newCommit = false;
    this.roundInProgress = true;
    deps.log({ event: "round-started", round: number, commit: commit.slice(0, 12), why });
    const roundOver = new AbortController();
    const stopped = () => roundOver.abort();
    stop.addEventListener("abort", stopped);
    const sweeping = this.sweepUntil(roundOver.signal, number, config);
    const outcome = await deps.rounds.run(stop).finally(() => {
      this.roundInProgress = false;
      roundOver.abort();
      stop.removeEventListener("abort", stopped);
    });
    await sweeping;
    const event: Extract<LogEvent, { event: "round" }> = {
      event: "round",
      round: number,
      commit: commit.slice(0, 12),
      why,
      outcome: outcome.kind,
      seconds: round1(outcome.timings.total),
      timings: outcome.timings,
    };
    if (outcome.kind === "done") {
      this.failures = 0;
      this.lastSuccessMs = deps.nowMs();
      event.changes = outcome.changes;
      const changed = Object.keys(outcome.changes).some((op) => op !== "same");
      this.idleWork = changed ? undefined : { summary: why, atMs: deps.nowMs() };
    } else if (outcome.kind !== "cancelled") {
      this.failures++;
      event.message = outcome.message;
      event.retryInSeconds = backoffSeconds(this.failures);
      this.lastProblem = outcome.message;
    }
    if ("lockHolder" in outcome && outcome.lockHolder) event.lockHolder = outcome.lockHolder;
    this.lastRound = event;
    deps.log(event);
    return outcome;
  }

  /** Sweeps every look interval until `over` aborts; a failed sweep is said and tried again. */
  private async sweepUntil(over: AbortSignal, round: number, config: LoadedConfig): Promise<void> {
    const { deps } = this;
    if (!deps.sweep) return;
    for (;;) {
      await this.lookInterval(over);
      if (over.aborted) return;
      try {
        this.lastLookMs = deps.nowMs();
        const nodes = await deps.sweep(config);
        if (nodes.length > 0) deps.log({ event: "swept", round, nodes });
      } catch (error) {
        deps.log({
          event: "sweep-failed",
          round,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  private async syncWhenDue(): Promise<void> {
    const { deps, settings } = this;
    if (deps.nowMs() - this.lastFetchMs < settings.fetchSeconds * 1000) return;
    this.lastFetchMs = deps.nowMs();
    const synced = await deps.source.sync();
    if (synced.kind === "applied") {
      this.newCommit = true;
      deps.log({
        event: "commit",
        commit: synced.commit,
        ...(synced.previous ? { previous: synced.previous } : {}),
      });
    } else if (synced.kind === "rejected")
      this.problem({ event: "rejected", commit: synced.commit, problems: synced.problems });
    else if (synced.kind === "error") this.problem({ event: "git-error", message: synced.message });
    if (deps.source.applied === undefined && synced.kind !== "error")
      this.problem({
        event: "waiting-for-commit",
        message: "no commit with a valid images.yaml yet: nothing is applied",
      });
  }

  /** Logs which providers cannot be read when that changes, not on every look. */
  private noteUnreadable(plan: Plan): void {
    const key = plan.unreadable.map((u) => u.provider).join(",");
    if (key === this.unreadableKey) return;
    this.unreadableKey = key;
    this.deps.log({ event: "providers-unreadable", providers: plan.unreadable });
  }

  private problem(event: LogEvent & { message?: string; problems?: string[] }): void {
    this.lastProblem = event.message ?? event.problems?.join("; ");
    this.deps.log(event);
  }
}

/**
 * Why the program would refuse this plan (docs/pulumi.md), or undefined. An unreadable provider
 * is no reason: the program keeps its resources as the state holds them and goes on with the
 * others (docs/decisions.md, "One provider's outage stops only that provider").
 */
function refusal(plan: Plan): string | undefined {
  const problems = plan.errors.map((e) => `${e.provider}: ${e.message}`);
  return problems.length > 0 ? `no round: ${problems.join("; ")}` : undefined;
}

const round1 = (seconds: number) => Math.round(seconds * 10) / 10;
