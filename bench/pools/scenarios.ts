// The four pool scenarios of issue 13, each on a pool of its own. Every figure is wall time
// in seconds as a job or an operator sees it: a claim's time is its whole `nodepool node
// claim` process (start-up included), and the pool's state is read from Nova every 250 ms.
import { performance } from "node:perf_hooks";
import { readyOf, waitUntil } from "../../test/support/pool-watch.js";
import type { RoundEvent } from "../../test/support/reconciler-process.js";
import { BenchPool, claimedName, type PoolShape } from "./scenario.js";
import { randomSource } from "../../test/support/plan-simulator.js";
import { round } from "./stats.js";

export interface ScenarioResult {
  samples: Record<string, number[]>;
  rounds: RoundEvent[];
  notes: string[];
}

const since = (t0: number) => (performance.now() - t0) / 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withPool(shape: PoolShape, body: (pool: BenchPool) => Promise<ScenarioResult>) {
  const pool = new BenchPool(shape);
  try {
    await pool.start();
    const result = await body(pool);
    result.samples["boot"] = pool.watch.bootSeconds();
    result.rounds = pool.rounds().filter((r) => Object.keys(r.changes ?? {}).some((op) => op !== "same"));
    return result;
  } finally {
    await pool.stop();
  }
}

async function releaseAll(pool: BenchPool, names: readonly string[]): Promise<void> {
  const results = await Promise.all(names.map((name) => pool.release(name)));
  for (const r of results) if (r.code !== 0) throw new Error(`node release: ${r.stdout}${r.stderr}`);
}

/** (a) min-ready 5: 3 nodes claimed and released → until 5 are ready again, until the 3 are gone. */
export function refillAfterUse(repeat: number): Promise<ScenarioResult> {
  return withPool({ minReady: 5, maxServers: 10 }, async (pool) => {
    const samples: Record<string, number[]> = { claimed: [], refilled: [], usedGone: [] };
    for (let i = 0; i < repeat; i++) {
      await pool.idle();
      const t0 = performance.now();
      const names = (await Promise.all([1, 2, 3].map(() => pool.claim()))).map(claimedName);
      samples["claimed"]!.push(since(t0));
      await releaseAll(pool, names);
      let refilled: number | undefined;
      let gone: number | undefined;
      await waitUntil(
        "5 ready and the used nodes gone",
        async () => {
          const nodes = await pool.watch.nodes();
          const ready = readyOf(nodes);
          if (refilled === undefined && ready.length >= 5) refilled = since(t0);
          if (gone === undefined && !nodes.some((s) => names.includes(s.name))) gone = since(t0);
          return refilled !== undefined && gone !== undefined;
        },
        600_000,
      );
      samples["refilled"]!.push(refilled!);
      samples["usedGone"]!.push(gone!);
    }
    return { samples, rounds: [], notes: [] };
  });
}

/** (b) min-ready 3, max-servers 10: 8 claims at once → each claim's wait. */
export function burstBeyondMinReady(repeat: number): Promise<ScenarioResult> {
  return withPool({ minReady: 3, maxServers: 10 }, async (pool) => {
    const samples: Record<string, number[]> = { wait: [], all: [] };
    for (let i = 0; i < repeat; i++) {
      await pool.idle();
      const t0 = performance.now();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, n) => pool.claim(["--wait", "600", "--claimer", `burst-${i}-${n}`])),
      );
      samples["all"]!.push(since(t0));
      samples["wait"]!.push(...results.map((r) => r.ms / 1000));
      await releaseAll(pool, results.map(claimedName));
    }
    return { samples, rounds: [], notes: [] };
  });
}

/**
 * (c) Poisson arrivals, one job every `meanSeconds` on average, each holding its node 30–90 s,
 * for `minutes` → claim waits, and the idle ready node-minutes (what the buffer costs).
 */
export function poissonJobs(minutes: number, meanSeconds = 20, seed = 13): Promise<ScenarioResult> {
  return withPool({ minReady: 3, maxServers: 10 }, async (pool) => {
    // Seeded, so two runs see the same arrivals.
    const random = randomSource(seed);
    const waits: number[] = [];
    const failures: string[] = [];
    const jobs: Promise<void>[] = [];
    const t0 = performance.now();
    const endMs = minutes * 60_000;
    let idleNodeSeconds = 0;
    let sampling = true;
    const sampler = (async () => {
      let last = performance.now();
      while (sampling) {
        const ready = await pool.watch.ready();
        const now = performance.now();
        idleNodeSeconds += (ready * (now - last)) / 1000;
        last = now;
        await sleep(1000);
      }
    })();
    let next = 0;
    for (;;) {
      next += -Math.log(1 - random()) * meanSeconds * 1000;
      if (next >= endMs) break;
      const hold = 30 + random() * 60;
      await sleep(Math.max(0, next - (performance.now() - t0)));
      jobs.push(
        (async () => {
          const claimed = await pool.claim(["--wait", "900"]);
          if (claimed.code !== 0) {
            failures.push(`exit ${claimed.code}: ${claimed.stderr.trim()}`);
            return;
          }
          waits.push(claimed.ms / 1000);
          await sleep(hold * 1000);
          await releaseAll(pool, [claimedName(claimed)]);
        })(),
      );
    }
    await sleep(Math.max(0, endMs - (performance.now() - t0)));
    sampling = false;
    await sampler;
    await Promise.all(jobs);
    return {
      samples: { wait: waits, idleReadyNodeMinutes: [round(idleNodeSeconds / 60)] },
      rounds: [],
      notes: [`${waits.length} jobs in ${minutes} min`, ...failures.map((f) => `failed claim: ${f}`)],
    };
  });
}

/** (d) ready nodes waiting: one claim at a time, then 24 claims at once. */
export function claimsWithReadyNodes(repeat: number, burst = 24): Promise<ScenarioResult> {
  return withPool({ minReady: burst, maxServers: burst + 6 }, async (pool) => {
    const samples: Record<string, number[]> = { one: [], burstEach: [], burstAll: [] };
    for (let i = 0; i < Math.max(repeat, 5); i++) {
      const claimed = await pool.claim();
      samples["one"]!.push(claimed.ms / 1000);
      await releaseAll(pool, [claimedName(claimed)]);
    }
    for (let i = 0; i < repeat; i++) {
      await waitUntil(`${burst} ready`, async () => (await pool.watch.ready()) >= burst, 600_000);
      await pool.idle();
      const t0 = performance.now();
      const results = await Promise.all(Array.from({ length: burst }, () => pool.claim(["--wait", "300"])));
      samples["burstAll"]!.push(since(t0));
      samples["burstEach"]!.push(...results.map((r) => r.ms / 1000));
      await releaseAll(pool, results.map(claimedName));
    }
    return { samples, rounds: [], notes: [] };
  });
}
