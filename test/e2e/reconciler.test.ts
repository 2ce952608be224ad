// `nodepool reconcile` end to end: the real engine through the Automation API, the local cloud,
// and a git repository with a bare remote. The reconciler fills the pool from the first commit,
// replaces a released node, boots nodes for waiting requests beyond min-ready, refuses an
// invalid commit while the last good one stays applied, waits out a lock another update holds,
// and on SIGTERM ends its round without leaving a lock; a restart needs nothing of its own.
// Steps depend on each other: a failing step skips the rest, and `after` cleans up either way.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { after, before, describe, type TestContext } from "node:test";
import { META } from "../../src/core/metadata.js";
import type { NovaServer } from "../../src/openstack/nova.js";
import { DependentSteps } from "../support/dependent-steps.js";
import { E2eRun, runCli, type CliResult } from "../support/e2e-reconcile.js";
import { seedReadyBuild } from "../support/e2e-seed.js";
import { engineAvailable } from "../support/engine.js";
import { localCloudProblem } from "../support/openstack-cloud.js";
import { isRound, ReconcilerProcess, type LoggedEvent } from "../support/reconciler-process.js";

// In CI the engine and the cloud are set up first: missing ones fail there, not skip.
const problem = !engineAvailable() ? "engine not built: run `npm run engine`" : await localCloudProblem();
const skip = problem && !process.env["CI"] ? problem : false;

const hex = randomBytes(3).toString("hex");
const PROVIDER = `e2e${hex}-rc`;
const BUILD = Math.floor(Date.now() / 1000) - 1800;
const ROUND_MS = 4 * 60_000;

let run: E2eRun | undefined;
let reconciler: ReconcilerProcess | undefined;

const r = () => {
  assert.ok(run, "run not set up");
  return run;
};
const rec = () => {
  assert.ok(reconciler, "reconciler not started");
  return reconciler;
};

function startReconciler(): ReconcilerProcess {
  // Short intervals: the test should not wait for the defaults (3 s looks, 30 s fetches).
  return new ReconcilerProcess({
    repo: r().dir,
    stack: r().stack,
    env: r().env,
    args: ["--watch-seconds", "1", "--fetch-seconds", "2", "--lock-wait-seconds", "300"],
  });
}

async function cli(args: string[]): Promise<CliResult> {
  const result = await r().nodepool(args);
  assert.equal(
    result.code,
    0,
    `nodepool ${args.join(" ")}: exit ${result.code}\n${result.stdout}${result.stderr}`,
  );
  return result;
}

const nodes = async () => (await r().servers(PROVIDER)).filter((s) => s.metadata[META.kind] === "node");
const inState = (servers: NovaServer[], state: string) =>
  servers.filter((s) => s.metadata[META.state] === state && s.status === "ACTIVE");

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const settle = (count: number) =>
  until(
    `${count} ready node(s)`,
    async () => {
      const all = await nodes();
      return inState(all, "ready").length === count ? all : undefined;
    },
    ROUND_MS,
  );

const idle = () => rec().idle(ROUND_MS);

async function claim(): Promise<{ id: string; name: string }> {
  const claimed = await cli(["node", "claim", r().label, "--json", "--claimer", "e2e-job"]);
  return JSON.parse(claimed.stdout) as { id: string; name: string };
}

/** Steps skip themselves once one failed: each builds on the previous ones. */
const steps = new DependentSteps();
const step = (name: string, body: (t: TestContext) => Promise<void>, timeoutMs = 2 * ROUND_MS) =>
  steps.step(name, body, timeoutMs);

describe("nodepool reconcile on the local cloud", { skip }, () => {
  before(async () => {
    run = new E2eRun(hex, [{ name: PROVIDER, cloud: "hpcloud-az2", minReady: 1, maxServers: 5 }]);
    await seedReadyBuild(run, PROVIDER, BUILD);
    await run.initStack();
    run.initGit();
  });

  after(async () => {
    await reconciler?.stop("SIGTERM");
    if (reconciler && steps.failed) console.log(`reconciler stderr:\n${reconciler.stderr}`);
    await run?.teardown();
  });

  step("fills the pool from the branch's first commit", async () => {
    reconciler = startReconciler();
    const { event: round } = await rec().nextRound(0, ROUND_MS);
    assert.equal(round.outcome, "done", JSON.stringify(round));
    assert.match(round.why, /new commit/);
    assert.ok((round.changes?.["create"] ?? 0) >= 1, JSON.stringify(round));
    await settle(1);
    const { status, body } = await rec().health();
    assert.equal(status, 200);
    assert.equal(body.appliedCommit?.slice(0, 12), round.commit);
    assert.deepEqual(rec().stray, [], "every stdout line is JSON with --json");
  });

  step("replaces a released node in the next round, without being asked", async () => {
    await idle();
    const from = rec().events.length;
    const node = await claim();
    await cli(["node", "release", node.id]);
    // The claim alone empties the pool, so a refill round may start before the release; the
    // used node is deleted by that round (its program reads the clouds afresh) or the next.
    await until(
      `${node.name} deleted`,
      async () => ((await nodes()).some((s) => s.name === node.name) ? undefined : true),
      ROUND_MS,
    );
    await settle(1);
    // A node is ready once ACTIVE, before its round has logged: wait for the round to end.
    await idle();
    const rounds = rec().events.slice(from).filter(isRound);
    assert.ok(rounds.length > 0 && rounds.every((round) => round.outcome === "done"), JSON.stringify(rounds));
  });

  step(
    "boots nodes beyond min-ready for waiting claims, and leaves no request behind",
    async () => {
      await idle();
      const from = rec().events.length;
      // Three jobs at once with one ready node: two wait, and their requests ask for nodes.
      const claims = [1, 2, 3].map((n) =>
        runCli(
          [
            "node",
            "claim",
            r().label,
            "--wait",
            "480",
            "--json",
            "--claimer",
            `burst-${n}`,
            "-f",
            r().imagesFile,
          ],
          r().env,
          540_000,
        ),
      );
      // While they wait, their requests are listed (the demand signal the planner counts).
      await until(
        "an open request",
        async () => {
          const listed = await cli(["request-list", "--json", "--label", r().label]);
          return (JSON.parse(listed.stdout) as { requests: unknown[] }).requests.length > 0
            ? true
            : undefined;
        },
        60_000,
      );
      const results = await Promise.all(claims);
      for (const result of results) assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
      const names = results.map((result) => (JSON.parse(result.stdout) as { name: string }).name);
      assert.equal(new Set(names).size, 3, `three different nodes: ${names.join(", ")}`);
      const requests = await cli(["request-list", "--json", "--label", r().label]);
      assert.deepEqual((JSON.parse(requests.stdout) as { requests: unknown[] }).requests, []);
      await idle();
      // Min-ready alone boots one node per round here (min-ready 1); a round that boots two or
      // more booted for the requests. Which round that is depends on when the claims land: the
      // first claim empties the pool, so the round it starts may already see the requests.
      const creates = rec()
        .events.slice(from)
        .filter(isRound)
        .map((round) => round.changes?.["create"] ?? 0);
      assert.ok(Math.max(0, ...creates) >= 2, `nodes created per round for the burst: ${creates.join(", ")}`);
      for (const name of names) await cli(["node", "release", name]);
    },
    3 * ROUND_MS,
  );

  step("does not apply a commit whose images.yaml is invalid; the last good one stays", async () => {
    await idle();
    const good = (await rec().health()).body.appliedCommit;
    assert.ok(good);
    const from = rec().events.length;
    writeFileSync(r().imagesFile, "providers: [\n  this is not yaml\n");
    const bad = r().commit("e2e: a broken images.yaml");
    const { event } = await rec().waitFor(
      "the rejection",
      (e: LoggedEvent): e is Extract<LoggedEvent, { event: "rejected" }> => e.event === "rejected",
      { from, timeoutMs: 60_000 },
    );
    assert.equal(event.commit, bad);
    assert.ok(
      event.problems.some((p) => /images\.yaml/.test(p)),
      event.problems.join("\n"),
    );
    const { body } = await rec().health();
    assert.equal(body.appliedCommit, good);
    assert.ok(
      !rec()
        .events.slice(from)
        .some((e) => e.event === "commit"),
    );
    r().writeImages();
    const fixed = r().commit("e2e: images.yaml fixed");
    const { event: applied } = await rec().waitFor(
      "the fixed commit",
      (e: LoggedEvent): e is Extract<LoggedEvent, { event: "commit" }> => e.event === "commit",
      { from, timeoutMs: 60_000 },
    );
    assert.equal(applied.commit, fixed);
  });

  step("waits out a lock another update holds, then runs its round", async () => {
    await idle();
    // The lock a `pulumi up` of another machine holds, as the file backend keeps it.
    const locks = join(r().dir, "state", ".pulumi", "locks", "organization", "nodepool", r().stack);
    mkdirSync(locks, { recursive: true });
    const lockFile = join(locks, `${randomBytes(8).toString("hex")}.json`);
    const holder = {
      pid: 4242,
      username: userInfo().username,
      hostname: "ci-runner-7",
      timestamp: new Date(),
    };
    writeFileSync(lockFile, JSON.stringify(holder));
    const from = rec().events.length;
    const node = await claim();
    await cli(["node", "release", node.id]);
    await rec().nextRoundStarted(from, ROUND_MS);
    await new Promise((resolve) => setTimeout(resolve, 6000));
    assert.ok(!rec().events.slice(from).some(isRound), "no round may finish while the stack is locked");
    rmSync(lockFile);
    const { event: round } = await rec().nextRound(from, ROUND_MS);
    assert.equal(round.outcome, "done", JSON.stringify(round));
    assert.equal(round.lockHolder, `${holder.username}@ci-runner-7 (pid 4242)`);
    assert.ok(round.timings.lockWait >= 5, `waited ${round.timings.lockWait} s`);
  });

  step("SIGTERM mid-round ends it cleanly; a restart finishes the work", async () => {
    await idle();
    const from = rec().events.length;
    const node = await claim();
    await cli(["node", "release", node.id]);
    await rec().nextRoundStarted(from, ROUND_MS);
    // Into the update: the engine has started and holds the lock.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const code = await rec().stop("SIGTERM");
    assert.equal(code, 0, rec().stderr);
    assert.ok(rec().events.some((e) => e.event === "stopped"));
    const locks = join(r().dir, "state", ".pulumi", "locks");
    const left = readdirSync(locks, { recursive: true }).filter((f) => String(f).endsWith(".json"));
    assert.deepEqual(left, [], "no lock left behind");
    reconciler = startReconciler();
    await until(
      `${node.name} deleted after the restart`,
      async () => ((await nodes()).some((s) => s.name === node.name) ? undefined : true),
      ROUND_MS,
    );
    await settle(1);
    const { event: round } = await rec().nextRound(0, ROUND_MS);
    assert.equal(round.outcome, "done", JSON.stringify(round));
  });

  step(
    "a job's poke (NODEPOOL_RECONCILER_URL) makes a reconciler that looks every 10 min act at once",
    async () => {
      await idle();
      await rec().stop("SIGTERM");
      reconciler = new ReconcilerProcess({
        repo: r().dir,
        stack: r().stack,
        env: r().env,
        args: ["--watch-seconds", "600", "--fetch-seconds", "600"],
      });
      // Its first round (the commit is new to it) changes nothing; the next look is 10 min away.
      await rec().nextRound(0, ROUND_MS);
      await idle();
      const from = rec().events.length;
      const env = { ...r().env, NODEPOOL_RECONCILER_URL: rec().endpoint! };
      const claimed = await runCli(["node", "claim", r().label, "--json", "-f", r().imagesFile], env);
      assert.equal(claimed.code, 0, claimed.stdout + claimed.stderr);
      const node = JSON.parse(claimed.stdout) as { id: string; name: string };
      // The claim's poke: a round boots the replacement well before the 10 min look.
      const { event: started } = await rec().nextRoundStarted(from, 120_000);
      assert.match(started.why, /create-node/, JSON.stringify(started));
      await settle(1);
      await idle();
      const released = await runCli(["node", "release", node.id, "-f", r().imagesFile], env);
      assert.equal(released.code, 0, released.stdout + released.stderr);
      // The release's poke: the used node is deleted well before the 10 min look.
      await until(
        `${node.name} deleted after its release`,
        async () => ((await nodes()).some((s) => s.name === node.name) ? undefined : true),
        120_000,
      );
    },
  );
});
