// The team setup of docs/state-backend.md: Pulumi's PostgreSQL DIY backend, with the engine of
// .tools/bin and the local cloud's PostgreSQL. Two "machines" (each its own PULUMI_HOME and
// project checkout, as CI and the reconciler have) log into one database and share a stack:
// its state and outputs, its lock, and the way a stale lock is cleared. The program creates
// nothing in any cloud; the database is the run's own and is dropped at the end.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { engineAvailable, engineEnv, projectRoot, runPulumi, type PulumiResult } from "../support/engine.js";
import {
  createPostgresBackend,
  databaseExists,
  postgresProblem,
  type LockHolder,
  type PostgresBackend,
} from "../support/postgres-backend.js";
import { RoundRunner } from "../../src/reconciler/round.js";

// In CI the engine and the local cloud are set up first: missing ones fail there, not skip.
const inCi = Boolean(process.env["CI"]);
const problem = !engineAvailable() ? "engine not built: run `npm run engine`" : await postgresProblem();
const skip = problem && !inCi ? problem : false;

const PROJECT = "pgstate";
const STACK = "team";
const STEP_TIMEOUT_MS = 2 * 60_000;
const LOCKED = /the stack is currently locked by 1 lock\(s\)/;

const PULUMI_YAML = `# A stack of test/e2e/postgres-state.test.ts: no resources but the stack itself.
name: ${PROJECT}
runtime: nodejs
main: index.js
`;

// With PGSTATE_HOLD set, the program says it started (HOLD.started) and then waits for the
// file HOLD to appear: the update (and its lock) lasts exactly as long as the test wants.
const PROGRAM = `import { existsSync, writeFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";

const hold = process.env["PGSTATE_HOLD"];
if (hold) {
  writeFileSync(hold + ".started", String(process.pid));
  const deadline = Date.now() + 120000;
  while (!existsSync(hold)) {
    if (Date.now() > deadline) throw new Error(hold + " never appeared");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const config = new pulumi.Config();
export const machine = process.env["PGSTATE_MACHINE"] ?? "unknown";
export const greeting = config.require("greeting");
export const token = config.requireSecret("token");
`;

interface Machine {
  name: string;
  dir: string;
  home: string;
  env: NodeJS.ProcessEnv;
}

let scratch = "";
let backend: PostgresBackend | undefined;
let a: Machine;
let b: Machine;
/** An update left running by a failed test: released and awaited by after(). */
let heldUp: { release: () => void; done: Promise<PulumiResult> } | undefined;
const hex = randomBytes(3).toString("hex");
const passphrase = `pgstate-${hex}-passphrase`;
const token = `s3cr3t-${hex}`;

function machine(name: string): Machine {
  // Under the project (git-ignored .tools/) so node finds @pulumi/pulumi by walking up.
  const dir = join(scratch, name, "project");
  const home = join(scratch, name, "pulumi-home");
  mkdirSync(dir, { recursive: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(join(dir, "Pulumi.yaml"), PULUMI_YAML);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: PROJECT, private: true, type: "module" }));
  writeFileSync(join(dir, "index.js"), PROGRAM);
  const env = engineEnv({ pulumiHome: home, passphrase });
  // The backend is whatever `pulumi login` chose, as on a team's machines.
  delete env["PULUMI_BACKEND_URL"];
  env["PGSTATE_MACHINE"] = name;
  return { name, dir, home, env };
}

const definedEnv = (env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));

function show(r: PulumiResult): string {
  return `exit ${r.code} after ${r.ms} ms\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

async function pulumi(
  m: Machine,
  args: string[],
  options: { expectOk?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<PulumiResult> {
  const r = await runPulumi([...args, "--non-interactive", "--color=never"], {
    cwd: m.dir,
    env: { ...m.env, ...options.env },
    timeoutMs: STEP_TIMEOUT_MS,
  });
  if (options.expectOk ?? true) assert.equal(r.code, 0, `${m.name}: pulumi ${args.join(" ")}: ${show(r)}`);
  return r;
}

async function outputs(m: Machine): Promise<Record<string, unknown>> {
  const r = await pulumi(m, ["stack", "output", "--json", "--show-secrets"]);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Polls until check() is true (every 100 ms), failing after timeoutMs. */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

function holderText(holder: LockHolder): string {
  return `created by ${holder.username}@${holder.hostname} (pid ${holder.pid})`;
}

describe("PostgreSQL state backend: one stack for two machines", { skip, timeout: 5 * 60_000 }, () => {
  before(async () => {
    mkdirSync(join(projectRoot, ".tools"), { recursive: true });
    scratch = mkdtempSync(join(projectRoot, ".tools", "e2e-pgstate-"));
    backend = await createPostgresBackend();
    a = machine("a");
    b = machine("b");
  });

  after(async () => {
    if (heldUp) {
      heldUp.release();
      await heldUp.done;
    }
    if (backend) {
      await backend.drop();
      assert.equal(await databaseExists(backend.database), false, `${backend.database} was not dropped`);
    }
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test("both machines see the stack, its outputs and its secrets after one of them runs up", async (t) => {
    const pg = backend!;
    for (const m of [a, b]) {
      const login = await pulumi(m, ["login", pg.url]);
      assert.match(login.stdout, new RegExp(`Logged in to .* \\(${pg.url.replace(/[?.]/g, "\\$&")}\\)`));
    }
    // The engine made its table on the first login and keeps a marker of its layout there.
    assert.deepEqual(
      (await pg.rows()).map((r) => r.key),
      [`${pg.database}/.pulumi/meta.yaml`],
    );

    await pulumi(a, ["stack", "init", STACK]);
    await pulumi(a, ["config", "set", "greeting", "hello team"]);
    await pulumi(a, ["config", "set", "--secret", "token", token]);
    // Stack config is not in the backend: B's checkout has the same Pulumi.<stack>.yaml (git).
    copyFileSync(join(a.dir, `Pulumi.${STACK}.yaml`), join(b.dir, `Pulumi.${STACK}.yaml`));

    const up = await pulumi(a, ["up", "--yes", "--skip-preview"]);
    assert.match(up.stdout, /\+ 1 created/);

    const listed = JSON.parse((await pulumi(b, ["stack", "ls", "--json"])).stdout) as {
      name: string;
      resourceCount?: number;
    }[];
    assert.deepEqual(
      listed.map((s) => [s.name, s.resourceCount]),
      [[STACK, 1]],
    );
    await pulumi(b, ["stack", "select", STACK]);
    assert.deepEqual(await outputs(b), { machine: "a", greeting: "hello team", token });

    // The state is in the database, not in either machine's PULUMI_HOME or checkout.
    const keys = (await pg.rows()).map((r) => r.key);
    assert.ok(keys.includes(`${pg.database}/.pulumi/stacks/${PROJECT}/${STACK}.json`), keys.join("\n"));
    assert.ok(keys.some((k) => k.startsWith(`${pg.database}/.pulumi/history/${PROJECT}/${STACK}/`)));
    for (const m of [a, b]) {
      assert.deepEqual(readdirSync(m.dir).sort(), [
        "Pulumi.team.yaml",
        "Pulumi.yaml",
        "index.js",
        "package.json",
      ]);
      assert.equal(existsSync(join(m.home, "stacks")), false);
    }
    t.diagnostic(`up on a: ${up.ms} ms; state rows after it: ${keys.length}`);
  });

  test("an up holds the stack's lock: the other machine's up and refresh fail, its preview runs", async (t) => {
    const pg = backend!;
    const hold = join(scratch, "hold");
    const done = pulumi(a, ["up", "--yes", "--skip-preview"], {
      env: { PGSTATE_HOLD: hold },
      expectOk: false,
    });
    heldUp = { release: () => writeFileSync(hold, ""), done };

    // The lock row is written before the program starts; once the program is waiting, A holds it.
    const lockedAfter = await waitFor(
      "a's up to take the lock and start its program",
      async () => existsSync(`${hold}.started`) && (await pg.locks()).length === 1,
    );
    const [lock] = await pg.locks();
    assert.ok(lock);
    assert.match(
      lock.key,
      new RegExp(`^${pg.database}/\\.pulumi/locks/organization/${PROJECT}/${STACK}/[0-9a-f-]{36}\\.json$`),
    );
    assert.equal(lock.holder.hostname, hostname());
    assert.equal(lock.holder.username, userInfo().username);

    const second = await pulumi(b, ["up", "--yes", "--skip-preview"], { expectOk: false });
    assert.notEqual(second.code, 0, show(second));
    assert.match(second.stderr, LOCKED, show(second));
    assert.ok(second.stderr.includes(holderText(lock.holder)), show(second));
    assert.ok(second.stderr.includes("pulumi cancel"), show(second));
    // The lock's address names the database but hides the user (and any password).
    assert.ok(second.stderr.includes(`postgres://****:****@127.0.0.1:5433/${pg.database}/.pulumi/locks/`));

    const refresh = await pulumi(b, ["refresh", "--yes", "--skip-preview"], { expectOk: false });
    assert.notEqual(refresh.code, 0, show(refresh));
    assert.match(refresh.stderr, LOCKED, show(refresh));

    // A preview takes no lock (docs/pulumi.md relies on it for pull requests).
    const preview = await pulumi(b, ["preview"]);
    assert.equal((await pg.locks()).length, 1, "the preview must leave a's lock alone");

    heldUp.release();
    const first = await done;
    heldUp = undefined;
    assert.equal(first.code, 0, show(first));
    // Unlocked before the CLI exits: nothing to wait for.
    assert.deepEqual(await pg.locks(), []);

    const later = await pulumi(b, ["up", "--yes", "--skip-preview"]);
    assert.match(later.stdout, /1 unchanged/);
    assert.equal((await outputs(a)).machine, "b");
    t.diagnostic(
      `a held the lock with its program waiting ${lockedAfter} ms after its up started; b's up failed in ${second.ms} ms, ` +
        `refresh in ${refresh.ms} ms; b's preview ran in ${preview.ms} ms; a's held up took ${first.ms} ms`,
    );
  });

  test("two reconcilers' rounds never run at once: the second waits out the first's lock", async (t) => {
    const pg = backend!;
    const hold = join(scratch, "hold-rounds");
    // Each machine's round as `nodepool reconcile` runs it: the Automation API's up.
    const runner = (m: Machine, extra: Record<string, string> = {}) =>
      new RoundRunner({
        workDir: m.dir,
        stack: STACK,
        env: { ...definedEnv(m.env), ...extra },
        lockWaitSeconds: 120,
        lockPollSeconds: 1,
      });
    // The Automation API finds `pulumi` on this process's PATH: the engine built here.
    process.env["PATH"] = a.env["PATH"];
    const signal = new AbortController().signal;
    const first = runner(a, { PGSTATE_HOLD: hold }).run(signal);
    heldUp = {
      release: () => writeFileSync(hold, ""),
      done: first.then(() => ({ code: 0, stdout: "", stderr: "", ms: 0 })),
    };
    await waitFor(
      "a's round to take the lock and start its program",
      async () => existsSync(`${hold}.started`) && (await pg.locks()).length === 1,
    );
    const [lock] = await pg.locks();
    assert.ok(lock);
    const second = runner(b).run(signal);
    // b's round keeps finding the stack locked while a's program waits.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    assert.equal((await pg.locks()).length, 1, "one lock: b's round has not taken one");
    heldUp.release();
    const [aRound, bRound] = await Promise.all([first, second]);
    heldUp = undefined;
    assert.equal(aRound.kind, "done", JSON.stringify(aRound));
    assert.equal(bRound.kind, "done", JSON.stringify(bRound));
    assert.equal(
      bRound.kind === "done" ? bRound.lockHolder : undefined,
      `${lock.holder.username}@${lock.holder.hostname} (pid ${lock.holder.pid})`,
    );
    assert.ok(bRound.timings.lockWait >= 3, `b waited ${bRound.timings.lockWait} s`);
    assert.equal((await outputs(a)).machine, "b", "b's round ran after a's, on the same state");
    assert.deepEqual(await pg.locks(), []);
    t.diagnostic(
      `b's round waited ${bRound.timings.lockWait.toFixed(1)} s for a's lock, then took ${bRound.timings.total.toFixed(1)} s in all`,
    );
  });

  test("a stale lock (its machine died) blocks updates until `pulumi cancel` deletes it", async (t) => {
    const pg = backend!;
    const holder: LockHolder = {
      pid: 424242,
      username: "ci",
      hostname: "crashed-runner",
      timestamp: new Date(Date.now() - 3_600_000).toISOString(),
    };
    await pg.plantLock(PROJECT, STACK, holder);

    const blocked = await pulumi(b, ["up", "--yes", "--skip-preview"], { expectOk: false });
    assert.notEqual(blocked.code, 0, show(blocked));
    assert.match(blocked.stderr, LOCKED, show(blocked));
    assert.ok(blocked.stderr.includes(holderText(holder)), show(blocked));

    const cancel = await pulumi(a, ["cancel", "--yes"]);
    assert.match(cancel.stdout, new RegExp(`The currently running update for '${STACK}' has been canceled!`));
    assert.deepEqual(await pg.locks(), []);

    const up = await pulumi(b, ["up", "--yes", "--skip-preview"]);
    assert.match(up.stdout, /1 unchanged/);
    assert.deepEqual(await pg.locks(), []);
    t.diagnostic(`blocked up failed in ${blocked.ms} ms; cancel took ${cancel.ms} ms`);
  });
});
