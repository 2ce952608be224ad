// The reconciler's loop on its rules: a round only when the plan has work or a commit is new,
// failures back off and make it unhealthy, a refused plan runs no round, --once returns.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { LoadedConfig } from "../../src/config/definition.js";
import { backoffSeconds, isHealthy, roundSummary } from "../../src/reconciler/policy.js";
import { Reconciler, type LogEvent } from "../../src/reconciler/reconciler.js";
import type { RoundOutcome } from "../../src/reconciler/round.js";
import type { SyncOutcome } from "../../src/reconciler/git-source.js";
import type { Plan } from "../../src/plan/types.js";
import { lockHolderOf } from "../../src/reconciler/round.js";

const config = {} as LoadedConfig;

function planWith(actions: number, unreadable = false): Plan {
  return {
    now: 0,
    unreadable: unreadable ? [{ provider: "q", error: "503" }] : [],
    errors: [],
    providers: [
      {
        provider: "p",
        images: [],
        pools: [],
        capacity: { maxServers: 1, existing: 0, deleting: 0, newTemplates: 0, newNodes: 0, free: 0 },
        actions: Array.from({ length: actions }, (_, i) => ({
          kind: "delete-node" as const,
          provider: "p",
          owner: "nodepool/test",
          target: `n${i}`,
          reason: "used by its job",
        })),
        leftAlone: [],
        desired: {
          builds: [],
          newBuilds: [],
          templates: [],
          snapshots: [],
          nodes: [],
          newNodes: [],
          expiredRequests: [],
        },
      },
    ],
  };
}

function harness(options: {
  plans: Plan[];
  outcomes?: RoundOutcome["kind"][];
  once?: boolean;
  syncs?: SyncOutcome[];
}) {
  let clock = 0;
  const log: LogEvent[] = [];
  const stop = new AbortController();
  const plans = [...options.plans];
  const outcomes = [...(options.outcomes ?? [])];
  const syncs = [...(options.syncs ?? [{ kind: "applied", commit: "c1" }])];
  const source = {
    applied: undefined as { commit: string; config: LoadedConfig } | undefined,
    async sync(): Promise<SyncOutcome> {
      const next = syncs.shift() ?? { kind: "unchanged" };
      if (next.kind === "applied") source.applied = { commit: next.commit, config };
      return next;
    },
  };
  const sleeps: number[] = [];
  const reconciler = new Reconciler(
    {
      source,
      rounds: {
        async run() {
          const kind = outcomes.shift() ?? "done";
          const timings = { lockWait: 0, total: 1 };
          return kind === "done"
            ? { kind, changes: { delete: 1 }, timings }
            : kind === "cancelled"
              ? { kind, timings }
              : { kind, message: "boom", timings };
        },
      },
      async look() {
        const next = plans.shift();
        if (next === undefined) {
          stop.abort();
          return planWith(0);
        }
        return next;
      },
      log: (event) => log.push(event),
      nowMs: () => clock,
      async sleep(ms) {
        sleeps.push(ms);
        clock += ms;
      },
    },
    {
      watchSeconds: 3,
      fetchSeconds: 30,
      idleRepeatSeconds: 60,
      unhealthyAfterSeconds: 600,
      once: options.once ?? false,
    },
  );
  return { reconciler, log, stop, sleeps, rounds: () => log.filter((e) => e.event === "round") };
}

test("a round runs for a new commit and for work, never for a plan with nothing to do", async () => {
  const h = harness({ plans: [planWith(0), planWith(0), planWith(2), planWith(0)] });
  assert.equal(await h.reconciler.run(h.stop.signal), 0);
  const rounds = h.rounds();
  assert.equal(rounds.length, 2);
  assert.match((rounds[0] as { why: string }).why, /^new commit/);
  assert.match((rounds[1] as { why: string }).why, /2 delete-node \(used by its job ×2\)/);
});

test("failed rounds back off 5 s, 10 s, and a success resets it", async () => {
  const h = harness({
    plans: [planWith(1), planWith(1), planWith(1), planWith(0)],
    outcomes: ["failed", "failed", "done", "done"],
  });
  await h.reconciler.run(h.stop.signal);
  assert.deepEqual(h.sleeps.slice(0, 2), [5000, 10000]);
  assert.equal(h.reconciler.status().consecutiveFailures, 0);
});

test("an unreadable provider stops no round: the others' work runs, and the outage is logged once", async () => {
  // Changed with provider isolation (issue 14): the program keeps an unreadable provider's
  // resources as the state holds them, so the reconciler no longer refuses the round.
  const h = harness({
    plans: [planWith(1, true), planWith(1, true), planWith(0, true), planWith(0)],
  });
  assert.equal(await h.reconciler.run(h.stop.signal), 0);
  assert.ok(h.rounds().length >= 2, "rounds ran for provider p's work while q was unreadable");
  assert.equal(h.reconciler.status().consecutiveFailures, 0);
  const outages = h.log.filter((e) => e.event === "providers-unreadable");
  assert.deepEqual(outages, [
    { event: "providers-unreadable", providers: [{ provider: "q", error: "503" }] },
    { event: "providers-unreadable", providers: [] },
  ]);
  assert.ok(!h.log.some((e) => e.event === "look-failed"));
});

test("--once: exit 0 when nothing is to be done, 1 when the round failed", async () => {
  const idle = harness({ plans: [planWith(0)], once: true, syncs: [{ kind: "unchanged" }] });
  // No commit applied yet: nothing to reconcile against.
  assert.equal(await idle.reconciler.run(idle.stop.signal), 1);
  const failing = harness({ plans: [planWith(1)], outcomes: ["failed"], once: true });
  assert.equal(await failing.reconciler.run(failing.stop.signal), 1);
  const fine = harness({ plans: [planWith(1)], once: true });
  assert.equal(await fine.reconciler.run(fine.stop.signal), 0);
});

test("a rejected commit is logged and the last good one stays applied", async () => {
  const h = harness({
    plans: [planWith(0)],
    once: true,
    syncs: [{ kind: "rejected", commit: "bad", problems: ["images.yaml:3:1: nope"] }],
  });
  assert.equal(await h.reconciler.run(h.stop.signal), 1);
  assert.ok(h.log.some((e) => e.event === "rejected"));
  assert.equal(h.reconciler.status().appliedCommit, undefined);
});

test("policy: backoff doubles to a cap; health follows the last success", () => {
  assert.deepEqual([0, 1, 2, 3, 10].map(backoffSeconds), [0, 5, 10, 20, 300]);
  assert.equal(isHealthy({ startedMs: 0, nowMs: 599_999, unhealthyAfterMs: 600_000 }), true);
  assert.equal(isHealthy({ startedMs: 0, nowMs: 600_000, unhealthyAfterMs: 600_000 }), false);
  assert.equal(
    isHealthy({ startedMs: 0, lastSuccessMs: 500_000, nowMs: 700_000, unhealthyAfterMs: 600_000 }),
    true,
  );
  assert.equal(roundSummary(planWith(0)), "nothing to do");
});

test("the DIY backend's lock message names who holds it", () => {
  assert.equal(
    lockHolderOf(
      "error: the stack is currently locked by 1 lock(s).\n  file:///x.json: created by root@ci-3 (pid 4242) at 2026",
    ),
    "root@ci-3 (pid 4242)",
  );
  assert.equal(lockHolderOf("something else"), undefined);
});

test(
  "while a round runs, sweeps every look; they stop with the round; a failed sweep is said",
  { timeout: 10_000 },
  async () => {
    const log: LogEvent[] = [];
    const stop = new AbortController();
    let sweeps = 0;
    let sweepsWhenRoundEnded = -1;
    let endRound!: () => void;
    const roundEnds = new Promise<void>((resolve) => (endRound = resolve));
    const sleeps: number[] = [];
    let looks = 0;
    const reconciler = new Reconciler(
      {
        source: {
          applied: { commit: "c1", config },
          async sync() {
            return { kind: "unchanged" };
          },
        },
        rounds: {
          async run() {
            await roundEnds;
            sweepsWhenRoundEnded = sweeps;
            return { kind: "done", changes: { create: 1 }, timings: { lockWait: 0, total: 1 } };
          },
        },
        async look() {
          if (++looks > 1) stop.abort();
          return planWith(1);
        },
        async sweep() {
          sweeps++;
          if (sweeps === 1) return ["p/n1"];
          if (sweeps === 2) throw new Error("Nova answered 503");
          endRound();
          return [];
        },
        log: (event) => log.push(event),
        nowMs: () => 0,
        async sleep(ms, signal) {
          sleeps.push(ms);
          if (!signal.aborted) await new Promise((resolve) => setImmediate(resolve));
        },
      },
      { watchSeconds: 2, fetchSeconds: 30, idleRepeatSeconds: 60, unhealthyAfterSeconds: 600, once: false },
    );
    await reconciler.run(stop.signal);
    assert.equal(sweepsWhenRoundEnded, 3);
    assert.equal(sweeps, 3, "no sweep after the round ended");
    // Each sweep waits the look interval (then the 0.5 s spacing, as the clock stands still here).
    assert.ok(sleeps.filter((ms) => ms === 2000).length >= 3, String(sleeps));
    assert.ok(
      sleeps.every((ms) => ms === 2000 || ms === 500),
      String(sleeps),
    );
    const swept = log.filter((e) => e.event === "swept" || e.event === "sweep-failed");
    assert.deepEqual(swept, [
      { event: "swept", round: 1, nodes: ["p/n1"] },
      { event: "sweep-failed", round: 1, message: "Nova answered 503" },
    ]);
  },
);
