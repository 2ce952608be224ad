// A month (or a bit more) of rounds: builds that fail at random, pins, rejections, setup
// edits, nodes taken and used, providers that cannot be read. Every plan is checked against
// the invariants (test/support/plan-invariants.ts), then applied to the simulated cloud.
//
// Replay a failure: fast-check prints `seed` and `path`; run
//   PLAN_SIM_SEED=<seed> PLAN_SIM_PATH=<path> node --import tsx --test test/unit/plan-simulation.test.ts
// More runs: PLAN_SIM_RUNS=500 (default 20).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { plan } from "../../src/plan/plan.js";
import { checkPlan, expectedCurrent } from "../support/plan-invariants.js";
import { IMAGES, randomSource, World, type ProviderName } from "../support/plan-simulator.js";
import { TEST_OWNER } from "../support/plan-inventory.js";

const world = fc.record({
  seed: fc.noShrink(fc.integer()),
  days: fc.integer({ min: 30, max: 35 }),
  keep: fc.integer({ min: 2, max: 4 }),
  slack: fc.integer({ min: 0, max: 6 }),
  buildFailure: fc.double({ min: 0, max: 0.6, noNaN: true }),
  demand: fc.double({ min: 0.05, max: 0.7, noNaN: true }),
  betaPaused: fc.boolean(),
});

type WorldParams = typeof world extends fc.Arbitrary<infer T> ? T : never;

interface Totals {
  rounds: number;
  builds: number;
  snapshots: number;
  created: number;
  rejectionsSurvived: number;
  errors: number;
}

function simulate(params: WorldParams, totals: Totals): void {
  const sim = new World(params, randomSource(params.seed));
  /** The current build of each image/provider after the last applied round, and its pin then. */
  const lastCurrent = new Map<string, { version: number; pin?: number }>();
  const rounds = params.days * 24;
  for (let round = 0; round < rounds; round++) {
    sim.advance();
    const config = sim.config();
    const inventory = sim.inventory();
    try {
      const result = plan(config, inventory, TEST_OWNER, sim.now);
      checkPlan(config, inventory, result);
      if (round % 24 === 0)
        assert.deepEqual(plan(config, inventory, TEST_OWNER, sim.now), result, "plans are deterministic");
      sim.apply(result);
      totals.rounds++;
      totals.errors += result.errors.length;
      for (const p of result.providers) {
        totals.builds += p.desired.newBuilds.length;
        totals.snapshots += p.desired.snapshots.length;
        totals.created += p.desired.newNodes.length;
      }
      // A revert always has somewhere to go: last round's current build is still there,
      // unless it was rejected or its pin changed since.
      for (const [image, providers] of Object.entries(IMAGES))
        for (const provider of providers) {
          const key = `${image}/${provider}`;
          const before = lastCurrent.get(key);
          const pin = config.pins[image]?.[provider];
          const builds = sim.clouds[provider as ProviderName].images;
          if (before !== undefined && before.pin === pin) {
            const rejected = config.rejected[image]?.[provider]?.includes(before.version) ?? false;
            if (!rejected)
              assert.ok(
                builds.some((b) => b.image === image && b.version === before.version && b.state === "ready"),
                `${key}: last round's current ${before.version} is gone`,
              );
            else if (expectedCurrent(config, builds, image, provider).current !== undefined)
              totals.rejectionsSurvived++;
          }
          const now = expectedCurrent(config, builds, image, provider).current;
          if (now === undefined) lastCurrent.delete(key);
          else lastCurrent.set(key, { version: now, pin });
        }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `round ${round} (now ${sim.now}) with ${JSON.stringify(params)}: ${message}\n` +
          `pins ${JSON.stringify(sim.pins)} rejected ${JSON.stringify(sim.rejected)}\n` +
          `recent events:\n${sim.log.slice(-60).join("\n")}`,
        { cause: error },
      );
    }
  }
}

test("a month of rounds keeps every invariant after every step", () => {
  const totals: Totals = { rounds: 0, builds: 0, snapshots: 0, created: 0, rejectionsSurvived: 0, errors: 0 };
  const replay = process.env.PLAN_SIM_SEED;
  fc.assert(
    fc.property(world, (params) => simulate(params, totals)),
    {
      numRuns: Number(process.env.PLAN_SIM_RUNS ?? 20),
      ...(replay !== undefined ? { seed: Number(replay), path: process.env.PLAN_SIM_PATH } : {}),
      endOnFailure: true,
      includeErrorInReport: true,
    },
  );
  // The world must actually have exercised the planner, or the checks above prove nothing.
  assert.ok(totals.rounds >= 30 * 24, `only ${totals.rounds} rounds`);
  assert.ok(totals.builds > 0 && totals.snapshots > 0 && totals.created > 0, JSON.stringify(totals));
  if (replay === undefined) {
    assert.ok(totals.rejectionsSurvived > 0, `no revert was exercised: ${JSON.stringify(totals)}`);
    assert.ok(totals.errors > 0, `no bad pin was exercised: ${JSON.stringify(totals)}`);
  }
  console.log(`simulation: ${JSON.stringify(totals)}`);
});
