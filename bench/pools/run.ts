// The pool benchmark of issue 13 on the local cloud: how fast `nodepool reconcile` refills
// pools and serves claims, and where a round's time goes. Not a test: it prints figures
// (medians, p95, max) and writes them as JSON to .tools/bench/.
//
//   npm run bench:pools                       all four scenarios (about 25 minutes)
//   npm run bench:pools -- --scenario a,d     some of them
//   npm run bench:pools -- --poisson-minutes 3 --repeat 2
//   npm run bench:pools -- --original         also the original Nodepool (bench/original/),
//                                             side by side in the same run, with ratios
//   npm run bench:pools -- --no-poke          jobs do not tell the reconciler to look now
//                                             (NODEPOOL_RECONCILER_URL unset): it finds
//                                             claims and releases on its next look
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { engineAvailable, projectRoot } from "../../test/support/engine.js";
import { localCloudProblem } from "../../test/support/openstack-cloud.js";
import type { RoundEvent } from "../../test/support/reconciler-process.js";
import {
  burstBeyondMinReady,
  claimsWithReadyNodes,
  poissonJobs,
  refillAfterUse,
  type ScenarioResult,
} from "./scenarios.js";
import { compare, formatComparison, type OriginalReport } from "./compare.js";
import { benchSettings } from "./scenario.js";
import { formatSummary, summarize, unitOf, type Summary } from "./stats.js";

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "a,b,c,d" },
    repeat: { type: "string", default: "3" },
    "poisson-minutes": { type: "string", default: "10" },
    original: { type: "boolean", default: false },
    "no-poke": { type: "boolean", default: false },
  },
});
benchSettings.poke = !values["no-poke"];
const scenarios = new Set(values.scenario.split(","));
const repeat = Number(values.repeat);
const poissonMinutes = Number(values["poisson-minutes"]);

const problem = !engineAvailable() ? "engine not built: run `npm run engine`" : await localCloudProblem();
if (problem) {
  console.error(`bench:pools: ${problem}`);
  process.exit(1);
}

const TITLES: Record<string, string> = {
  a: "(a) min-ready 5, 3 nodes claimed and released",
  b: "(b) min-ready 3, max-servers 10, 8 claims at once",
  c: `(c) Poisson jobs for ${poissonMinutes} min (one every ~20 s, holding 30-90 s), min-ready 3`,
  d: "(d) claims with ready nodes waiting (min-ready 24)",
};
const RUNS: Record<string, () => Promise<ScenarioResult>> = {
  a: () => refillAfterUse(repeat),
  b: () => burstBeyondMinReady(repeat),
  c: () => poissonJobs(poissonMinutes),
  d: () => claimsWithReadyNodes(repeat),
};

/** Where a changing round's time went: the milestones of src/reconciler/round.ts. */
function breakdown(rounds: readonly RoundEvent[]): Record<string, Summary | undefined> {
  const pick = (f: (r: RoundEvent) => number | undefined) =>
    summarize(rounds.map(f).filter((v): v is number => v !== undefined));
  const t = (r: RoundEvent) => r.timings;
  return {
    "engine started": pick((r) => t(r).engineStarted),
    "program process started": pick((r) => t(r).programStarted),
    "program modules loaded": pick((r) => t(r).programLoaded),
    "inventory read": pick((r) => t(r).inventoryRead),
    "plan made, doomed nodes fenced": pick((r) => t(r).decided),
    "nodes it drops: Nova answered their deletes": pick((r) => t(r).nodesDeleteSent),
    "first resource registered": pick((r) => t(r).firstResource),
    "first create sent": pick((r) => t(r).firstCreate),
    "last create done (provider polls ACTIVE)": pick((r) => t(r).lastCreateDone),
    "first delete step (engine)": pick((r) => t(r).firstDelete),
    "last delete step done": pick((r) => t(r).lastDeleteDone),
    "round total": pick((r) => t(r).total),
  };
}

const report: Record<string, unknown> = {
  at: new Date().toISOString(),
  repeat,
  poissonMinutes,
  poke: benchSettings.poke,
};
const reportDir = join(projectRoot, ".tools", "bench");
const reportFile = join(reportDir, `pools-${String(report["at"]).replace(/[:.]/g, "-")}.json`);
/** Written after every scenario: a later one that fails keeps the earlier figures. */
function saveReport(): void {
  mkdirSync(reportDir, { recursive: true });
  writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
}
for (const key of ["a", "b", "c", "d"].filter((k) => scenarios.has(k))) {
  console.log(`\n${TITLES[key]}`);
  const started = Date.now();
  const result = await RUNS[key]!();
  const figures = Object.fromEntries(Object.entries(result.samples).map(([name, s]) => [name, summarize(s)]));
  for (const [name, summary] of Object.entries(figures))
    console.log(`  ${name.padEnd(22)} ${formatSummary(summary, unitOf(name))}`);
  for (const note of result.notes) console.log(`  note: ${note}`);
  const rounds = breakdown(result.rounds);
  console.log(`  rounds that changed something: ${result.rounds.length}; seconds from the round's start:`);
  for (const [name, summary] of Object.entries(rounds))
    console.log(`    ${name.padEnd(60)} ${formatSummary(summary)}`);
  console.log(`  (${Math.round((Date.now() - started) / 1000)} s)`);
  report[key] = { samples: result.samples, figures, rounds, notes: result.notes };
  saveReport();
}

if (values.original) {
  const python = join(projectRoot, ".tools", "original-nodepool", "venv", "bin", "python");
  const measure = join(projectRoot, "bench", "original", "measure.py");
  if (!existsSync(python) || !existsSync(measure)) {
    console.error("bench:pools: the original Nodepool is not set up: run `bash bench/original/setup.sh`");
    process.exit(1);
  }
  const wanted = ["a", "d"].filter((k) => scenarios.has(k)).join(",");
  console.log(`\nthe original Nodepool, scenarios ${wanted} (bench/original/measure.py)`);
  const ran = spawnSync(python, [measure, "--scenario", wanted, "--repeat", String(repeat)], {
    cwd: projectRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 60 * 60_000,
  });
  if (ran.status !== 0) {
    console.error(`bench:pools: the original Nodepool's run failed (exit ${ran.status})`);
    process.exit(1);
  }
  const original = JSON.parse(ran.stdout) as OriginalReport;
  report["original"] = original;
  const samplesOf = (key: string) =>
    (report[key] as { samples?: Record<string, number[]> } | undefined)?.samples;
  const rows = compare({ a: samplesOf("a"), d: samplesOf("d") }, original);
  report["comparison"] = rows;
  console.log("\nside by side (same cloud, same run):");
  for (const line of formatComparison(rows)) console.log(line);
}

saveReport();
console.log(`\nraw samples: ${reportFile}`);
