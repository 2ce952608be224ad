// Issue 12, item 9: the repository lock of the rollback commands, and the atomic write they
// commit with. The lock is never an empty file, says who holds it (host, process, since when),
// is judged by pid only where that pid means something, goes away on Ctrl-C and SIGTERM, and is
// never taken from another command; the write's rename is made durable with its directory.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs, { existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach, describe, it, mock } from "node:test";
import { pathToFileURL } from "node:url";
import { ok, type Result } from "../../src/core/result.js";
import { writeFileAtomically } from "../../src/git/atomic-write.js";
import { LOCK_NAME, withRepositoryLock } from "../../src/git/lock.js";
import { openRepository, type Repository } from "../../src/git/repository.js";
import { makeRepo, type TempRepo } from "../support/git-repo.js";

let repo: TempRepo;
afterEach(() => {
  mock.restoreAll();
  syncBuiltinESMExports();
  repo?.cleanup();
});

const lockPath = (r: TempRepo) => join(r.repo, ".git", LOCK_NAME);

async function openRepo(r: TempRepo): Promise<Repository> {
  const opened = await openRepository(r.file);
  assert.ok(opened.ok);
  return opened.value;
}

/** Take the lock and run `work`; the failure message when it cannot be taken. */
async function lockAndRun(
  r: TempRepo,
  waitMs: number,
  work: () => Promise<Result<string, string>> = async () => ok("worked"),
): Promise<{ result: Result<string, string>; elapsedMs: number }> {
  const started = Date.now();
  const result = await withRepositoryLock(await openRepo(r), work, (message) => message, { waitMs });
  return { result, elapsedMs: Date.now() - started };
}

const failure = (result: Result<string, string>) =>
  result.ok ? `took the lock: ${result.value}` : result.error;

/** A record as another host's nodepool writes it. */
const otherHostRecord = (startedAt: Date) =>
  `${JSON.stringify({
    host: "ci-runner-7",
    pidSpace: "boot-of-ci-runner-7/pid:[4026531836]",
    // Running here, which must mean nothing: it is another machine's process.
    pid: process.pid,
    startedAt: startedAt.toISOString(),
    token: "0123456789abcdef",
  })}\n`;

/** A child process that takes the lock, prints "held" and waits to be killed. */
function spawnHolder(r: TempRepo) {
  const url = (path: string) => pathToFileURL(resolve(path)).href;
  const script = join(r.base, "hold-lock.mts");
  writeFileSync(
    script,
    [
      `import { openRepository } from ${JSON.stringify(url("src/git/repository.ts"))};`,
      `import { withRepositoryLock } from ${JSON.stringify(url("src/git/lock.ts"))};`,
      "const repo = await openRepository(process.argv[2]);",
      "if (!repo.ok) throw new Error(repo.error);",
      "const held = await withRepositoryLock(repo.value, async () => {",
      '  process.stdout.write("held\\n");',
      "  setInterval(() => {}, 1000);",
      "  return new Promise(() => {});",
      "}, (message) => message, { waitMs: 0 });",
      "console.error(held);",
    ].join("\n"),
  );
  const child = spawn(process.execPath, ["--import", "tsx", script, r.file], {
    cwd: resolve("."),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const held = new Promise<void>((done, fail) => {
    child.stdout.on("data", (chunk) => String(chunk).includes("held") && done());
    child.on("exit", () => fail(new Error(`the holder exited before it held the lock: ${stderr}`)));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on("exit", (code, signal) => done({ code, signal })),
  );
  return { child, held, exited };
}

describe("the rollback lock's file (issue 12, item 9)", () => {
  it("an empty lock file (a crash between create and write) is reported as holding no record, never as process 0", async () => {
    repo = makeRepo();
    writeFileSync(lockPath(repo), "");
    const { result } = await lockAndRun(repo, 300);
    const message = failure(result);
    assert.doesNotMatch(message, /process 0/);
    assert.match(message, /is empty: it does not say who holds it/);
    assert.match(message, new RegExp(`remove it \\(rm ${lockPath(repo)}\\)`));
    assert.ok(existsSync(lockPath(repo)), "a lock nodepool did not take is never removed by it");
  });

  it("a lock file holding something else is reported with what it holds", async () => {
    repo = makeRepo();
    writeFileSync(lockPath(repo), "locked by jenkins\n");
    const message = failure((await lockAndRun(repo, 300)).result);
    assert.doesNotMatch(message, /process NaN/);
    assert.match(message, /is not a nodepool lock \("locked by jenkins"\): it does not say who holds it/);
  });

  it("holds this host, this process and when it was taken, from the moment it exists", async () => {
    repo = makeRepo();
    const before = Date.now();
    let text = "";
    await lockAndRun(repo, 0, async () => {
      text = readFileSync(lockPath(repo), "utf8");
      return ok("read");
    });
    const record = JSON.parse(text) as { host: string; pid: number; startedAt: string };
    assert.equal(record.host, hostname());
    assert.equal(record.pid, process.pid);
    const startedAt = Date.parse(record.startedAt);
    assert.ok(startedAt >= before - 1000 && startedAt <= Date.now(), record.startedAt);
  });

  it("a write of the record that fails (disk full) leaves no lock file behind", async () => {
    repo = makeRepo();
    mock.method(fs, "writeSync", () => {
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    });
    syncBuiltinESMExports();
    const { result } = await lockAndRun(repo, 0);
    mock.restoreAll();
    syncBuiltinESMExports();
    assert.match(failure(result), /ENOSPC/);
    assert.deepEqual(
      fs.readdirSync(join(repo.repo, ".git")).filter((name) => name.includes(LOCK_NAME)),
      [],
      "neither the lock nor a temporary file is left",
    );
    assert.equal((await lockAndRun(repo, 0)).result.ok, true, "the next command takes the lock");
  });
});

describe("whose lock it is: by pid only on the same host (issue 12, item 9)", () => {
  it("a recent lock from another host names the host and pid and how to remove it; its pid is not looked up here", async () => {
    repo = makeRepo();
    writeFileSync(lockPath(repo), otherHostRecord(new Date(Date.now() - 30_000)));
    const message = failure((await lockAndRun(repo, 300)).result);
    assert.match(message, new RegExp(`is held by process ${process.pid} on host ci-runner-7 since `));
    assert.match(message, /nodepool cannot see processes on ci-runner-7/);
    assert.match(
      message,
      new RegExp(`if no nodepool command is running on ci-runner-7, remove it \\(rm ${lockPath(repo)}\\)`),
    );
    assert.doesNotMatch(message, /still running|no longer running/);
  });

  it("an old lock from another host is reported at once, as probably left by a crash", async () => {
    repo = makeRepo();
    writeFileSync(lockPath(repo), otherHostRecord(new Date(Date.now() - 2 * 3600_000)));
    const { result, elapsedMs } = await lockAndRun(repo, 10_000);
    const message = failure(result);
    assert.match(message, /taken 2\.0 h ago by process \d+ on host ci-runner-7/);
    assert.match(message, /probably left by a crash/);
    assert.ok(elapsedMs < 5000, `reported after ${elapsedMs} ms, not after the 10 s wait`);
  });

  it("a lock left by a process of this host that was killed (SIGKILL) is reported at once, with how to remove it", async () => {
    repo = makeRepo();
    const holder = spawnHolder(repo);
    await holder.held;
    const pid = holder.child.pid!;
    holder.child.kill("SIGKILL");
    await holder.exited;
    assert.ok(existsSync(lockPath(repo)), "SIGKILL cannot be cleaned up after");
    const { result, elapsedMs } = await lockAndRun(repo, 10_000);
    const message = failure(result);
    assert.match(message, new RegExp(`was left by process ${pid} on this host, which is no longer running`));
    assert.match(message, new RegExp(`remove it \\(rm ${lockPath(repo)}\\)`));
    assert.ok(elapsedMs < 5000, `reported after ${elapsedMs} ms, not after the 10 s wait`);
  });
});

describe("the lock goes when its command does (issue 12, item 9)", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`a command holding the lock killed with ${signal} removes it and dies of ${signal}`, async () => {
      repo = makeRepo();
      const holder = spawnHolder(repo);
      await holder.held;
      assert.ok(existsSync(lockPath(repo)));
      holder.child.kill(signal);
      const exit = await holder.exited;
      assert.deepEqual(exit, { code: null, signal }, "the signal is raised again, so the shell sees it");
      assert.ok(!existsSync(lockPath(repo)), "no lock is left behind");
    });
  }

  it("adds its signal handlers only while the lock is held", async () => {
    repo = makeRepo();
    const before = ["SIGINT", "SIGTERM"].map((s) => process.listenerCount(s));
    let during: number[] = [];
    await lockAndRun(repo, 0, async () => {
      during = ["SIGINT", "SIGTERM"].map((s) => process.listenerCount(s));
      return ok("counted");
    });
    assert.deepEqual(
      during,
      before.map((n) => n + 1),
    );
    assert.deepEqual(
      ["SIGINT", "SIGTERM"].map((s) => process.listenerCount(s)),
      before,
    );
  });

  it("a lock removed by hand while held: the command still returns its result", async () => {
    repo = makeRepo();
    const { result } = await lockAndRun(repo, 0, async () => {
      unlinkSync(lockPath(repo));
      return ok("done");
    });
    assert.deepEqual(result, ok("done"));
  });

  it("a lock another command took meanwhile (after ours was removed by hand) is not removed", async () => {
    repo = makeRepo();
    const theirs = otherHostRecord(new Date());
    await lockAndRun(repo, 0, async () => {
      unlinkSync(lockPath(repo));
      writeFileSync(lockPath(repo), theirs);
      return ok("done");
    });
    assert.equal(readFileSync(lockPath(repo), "utf8"), theirs);
  });
});

describe("writeFileAtomically (issue 12, item 9)", () => {
  it("fsyncs the directory after the rename, so the new name survives a crash", () => {
    repo = makeRepo();
    const events: string[] = [];
    const opened = new Map<number, string>();
    const { openSync, fsyncSync, renameSync } = fs;
    mock.method(fs, "openSync", (...args: Parameters<typeof fs.openSync>) => {
      const fd = openSync(...args);
      opened.set(fd, String(args[0]));
      return fd;
    });
    mock.method(fs, "fsyncSync", (fd: number) => {
      events.push(`fsync ${opened.get(fd) ?? fd}`);
      fsyncSync(fd);
    });
    mock.method(fs, "renameSync", (from: fs.PathLike, to: fs.PathLike) => {
      events.push(`rename ${String(to)}`);
      renameSync(from, to);
    });
    syncBuiltinESMExports();
    const written = writeFileAtomically(repo.file, "pins: {}\n");
    mock.restoreAll();
    syncBuiltinESMExports();
    assert.deepEqual(written, ok(undefined));
    assert.equal(readFileSync(repo.file, "utf8"), "pins: {}\n");
    const rename = events.indexOf(`rename ${fs.realpathSync(repo.file)}`);
    assert.ok(rename >= 0, events.join("; "));
    assert.ok(
      events.slice(rename + 1).includes(`fsync ${dirname(fs.realpathSync(repo.file))}`),
      `the directory is fsynced after the rename: ${events.join("; ")}`,
    );
  });
});
