// The main job's last part: `nodepool reconcile` keeping a pool full while jobs come and go.
// It follows a throwaway clone of this checkout (so the checkout itself is never touched),
// claims and releases nodes as CI jobs would, prints how long the pool took to refill, and
// stops the reconciler when the demo ends.
//   node --import tsx scripts/reconciler-demo.ts --stack local [--label L] [--provider P]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/load.js";
import { openProvider } from "../src/openstack/clients.js";
import { runCli } from "../test/support/e2e-reconcile.js";
import { PoolWatch, readyOf, waitUntil } from "../test/support/pool-watch.js";
import { isRound, ReconcilerProcess, type LoggedEvent } from "../test/support/reconciler-process.js";

const { values } = parseArgs({
  options: {
    stack: { type: "string", default: "local" },
    label: { type: "string" },
    provider: { type: "string" },
  },
});
const projectRoot = process.cwd();
const loaded = loadConfig(join(projectRoot, "images.yaml"));
if (!loaded.ok) {
  console.error("reconciler demo: images.yaml is invalid (run `nodepool validate`)");
  process.exit(1);
}
const config = loaded.value;
const label = config.labels.find((l) => values.label === undefined || l.name === values.label);
const providerName = Object.entries(label?.minReady ?? {}).find(
  ([name, n]) => n > 0 && (values.provider === undefined || name === values.provider),
)?.[0];
const provider = config.providers.find((p) => p.name === providerName);
if (!label || !provider) {
  console.error("reconciler demo: no label with a pool (min-ready > 0) to show");
  process.exit(1);
}
const minReady = label.minReady[provider.name]!;
const opened = openProvider(provider);
if (!opened.ok) {
  console.error(`reconciler demo: ${opened.error.message}`);
  process.exit(1);
}
const watch = new PoolWatch(opened.value, provider.name, label.name);
const say = (text: string) => console.log(`  ${text}`);
const seconds = (s: number) => `${s.toFixed(1)} s`;

function describeRound(e: Extract<LoggedEvent, { event: "round" }>): string {
  const changes = Object.entries(e.changes ?? {})
    .filter(([op]) => op !== "same")
    .map(([op, n]) => `${n} ${op}`)
    .join(", ");
  return `round ${e.round} ${e.outcome} in ${seconds(e.seconds)}${changes ? ` (${changes})` : ""}: ${e.why}`;
}

const dir = mkdtempSync(join(tmpdir(), "nodepool-demo-"));
const repo = join(dir, "repo");
execFileSync("git", ["clone", "--quiet", "--no-hardlinks", projectRoot, repo]);
const branch = execFileSync("git", ["-C", repo, "rev-parse", "--abbrev-ref", "HEAD"]).toString().trim();
say(`following ${branch} of a clone of this checkout (${repo}), stack ${values.stack}`);
const reconciler = new ReconcilerProcess({
  repo,
  stack: values.stack,
  env: process.env,
  args: ["--work-dir", projectRoot, "--branch", branch],
});
let printed = 0;
const printer = setInterval(() => {
  for (const event of reconciler.events.slice(printed))
    if (isRound(event)) say(`reconciler: ${describeRound(event)}`);
  printed = reconciler.events.length;
}, 500);

async function claim(extra: string[] = []) {
  const result = await runCli(
    ["node", "claim", label!.name, "--provider", provider!.name, "--json", ...extra],
    process.env,
  );
  if (result.code !== 0) throw new Error(`node claim: exit ${result.code}: ${result.stderr.trim()}`);
  return { ...(JSON.parse(result.stdout) as { id: string; name: string }), seconds: result.ms / 1000 };
}

async function release(names: readonly string[]) {
  for (const result of await Promise.all(names.map((name) => runCli(["node", "release", name], process.env))))
    if (result.code !== 0) throw new Error(`node release: ${result.stderr.trim()}`);
}

/** Seconds from t0 until min-ready nodes are ready again, and until `used` are gone. */
async function refill(t0: number, used: readonly string[]) {
  let refilled: number | undefined;
  let gone: number | undefined;
  await waitUntil(
    "the pool refilled",
    async () => {
      const nodes = await watch.nodes();
      const now = (performance.now() - t0) / 1000;
      if (refilled === undefined && readyOf(nodes).length >= minReady) refilled = now;
      if (gone === undefined && !nodes.some((s) => used.includes(s.name))) gone = now;
      return refilled !== undefined && gone !== undefined;
    },
    600_000,
  );
  return { refilled: refilled!, gone: gone! };
}

let exitCode = 0;
try {
  await waitUntil(
    `${minReady} ready ${label.name} nodes in ${provider.name}`,
    async () => (await watch.ready()) >= minReady,
    600_000,
  );
  await reconciler.idle(600_000);
  say(`${label.name} in ${provider.name}: ${minReady} ready (min-ready ${minReady})`);

  // Two jobs take a node each and finish: the reconciler sees the used nodes and refills.
  let t0 = performance.now();
  const pair = await Promise.all([claim(), claim()]);
  say(`2 jobs claimed ${pair.map((c) => `${c.name} (${seconds(c.seconds)})`).join(" and ")}`);
  await release(pair.map((c) => c.name));
  let times = await refill(
    t0,
    pair.map((c) => c.name),
  );
  say(
    `${minReady} ready again ${seconds(times.refilled)} after the claims; used nodes gone after ${seconds(times.gone)}`,
  );

  // A burst bigger than the pool: the claims that find no ready node record requests, and
  // the reconciler boots nodes for them beyond min-ready (up to max-servers).
  await reconciler.idle(600_000);
  const burst = minReady + 2;
  t0 = performance.now();
  const claims = await Promise.all(Array.from({ length: burst }, () => claim(["--wait", "300"])));
  const waits = claims.map((c) => c.seconds).sort((a, b) => a - b);
  say(`${burst} jobs at once: each got a node, waits ${waits.map(seconds).join(", ")}`);
  await release(claims.map((c) => c.name));
  times = await refill(
    t0,
    claims.map((c) => c.name),
  );
  say(`pool back to ${minReady} ready; the burst's nodes gone ${seconds(times.gone)} after it started`);
  await reconciler.idle(600_000);
} catch (error) {
  console.error(`reconciler demo: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  const code = await reconciler.stop("SIGTERM");
  clearInterval(printer);
  for (const event of reconciler.events.slice(printed))
    if (isRound(event)) say(`reconciler: ${describeRound(event)}`);
  say(`reconciler stopped (exit ${code}) after ${reconciler.events.filter(isRound).length} round(s)`);
  if (code !== 0) {
    console.error(reconciler.stderr);
    exitCode = 1;
  }
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
