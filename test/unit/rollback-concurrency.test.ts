// Two rollbacks at once: each reads images.yaml under the repository lock, so both land one
// after the other, or the second finds nothing left to do (already reverted) and says so. Never a lost edit, a
// half-written file or a commit that undoes another.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, it } from "node:test";
import { promisify } from "node:util";
import { loadConfig } from "../../src/config/load.js";
import { LOCK_NAME, withRepositoryLock } from "../../src/git/lock.js";
import { openRepository } from "../../src/git/repository.js";
import { applyRollback } from "../../src/rollback/apply.js";
import { planRevert } from "../../src/rollback/plan-revert.js";
import { ok } from "../../src/core/result.js";
import { CURRENT, IMAGE, makeRepo, PREVIOUS, seedInventory, type TempRepo } from "../support/git-repo.js";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

const BIN = resolve("bin/nodepool.js");
const run = promisify(execFile);

function assertConsistent(r: TempRepo) {
  assert.equal(r.git("status", "--porcelain"), "", "no uncommitted leftovers");
  assert.ok(!existsSync(join(r.repo, ".git", LOCK_NAME)), "the lock is released");
  assert.ok(!existsSync(join(r.repo, ".git", "index.lock")));
  const config = loadConfig(r.file);
  assert.ok(config.ok, "images.yaml is valid");
  return config.value;
}

describe("concurrent rollbacks", () => {
  it("in different providers both land, one commit each, neither undoing the other", async () => {
    repo = makeRepo();
    const before = repo.commitCount();
    const [a, b] = await Promise.all([
      repo.nodepool("revert", IMAGE, "-p", "hpcloud-az2"),
      repo.nodepool("revert", IMAGE, "-p", "rax-iad"),
    ]);
    assert.deepEqual([a.code, b.code], [0, 0], a.stderr + b.stderr);
    assert.equal(repo.commitCount(), before + 2);
    const config = assertConsistent(repo);
    assert.deepEqual(config.pins, { [IMAGE]: { "hpcloud-az2": PREVIOUS, "rax-iad": 1394418000 } });
    assert.deepEqual(config.rejected, { [IMAGE]: { "hpcloud-az2": [CURRENT], "rax-iad": [1394515000] } });
  });

  it("of the same build: one commits, the other finds it already reverted and changes nothing", async () => {
    repo = makeRepo();
    const before = repo.commitCount();
    const results = await Promise.all([
      repo.nodepool("revert", IMAGE, "-p", "hpcloud-az2"),
      repo.nodepool("revert", IMAGE, "-p", "hpcloud-az2"),
    ]);
    assert.deepEqual(
      results.map((r) => r.code),
      [0, 0],
      results.map((r) => r.stderr).join(""),
    );
    assert.equal(results.filter((r) => /Nothing to change/.test(r.stdout)).length, 1);
    assert.equal(repo.commitCount(), before + 1);
    assert.deepEqual(assertConsistent(repo).pins, { [IMAGE]: { "hpcloud-az2": PREVIOUS } });
  });

  it("as separate processes started together: every success is one commit, the file stays valid", async () => {
    repo = makeRepo();
    const before = repo.commitCount();
    const args = (provider: string) => [
      BIN,
      "revert",
      IMAGE,
      "-p",
      provider,
      "-f",
      repo.file,
      "-i",
      repo.inventoryFile,
    ];
    const outcomes = await Promise.all(
      ["hpcloud-az2", "rax-iad", "hpcloud-az2", "rax-iad"].map((provider) =>
        run(process.execPath, args(provider), { cwd: repo.repo }).then(
          ({ stdout }) => (/Nothing to change/.test(stdout) ? "unchanged" : "committed"),
          (error: { code: number; stderr: string }) => `exit ${error.code}: ${error.stderr}`,
        ),
      ),
    );
    assert.deepEqual(outcomes.sort(), ["committed", "committed", "unchanged", "unchanged"]);
    assert.equal(repo.commitCount(), before + 2);
    const config = assertConsistent(repo);
    assert.deepEqual(Object.keys(config.pins[IMAGE]!).sort(), ["hpcloud-az2", "rax-iad"]);
  });

  it("a lock held too long is reported with who holds it and what to do, and nothing changes", async () => {
    repo = makeRepo();
    const lock = join(repo.repo, ".git", LOCK_NAME);
    const head = repo.head();
    const opened = await openRepository(repo.file);
    assert.ok(opened.ok);
    // This test process holds the lock (a live nodepool command on this host) while a revert waits.
    let stillHeld = false;
    const outcome = await withRepositoryLock(
      opened.value,
      async () => {
        const waited = await applyRollback(
          async () => ok(planRevert(seedInventory(), IMAGE, ["hpcloud-az2"])),
          {
            file: repo.file,
            dryRun: false,
            allowDirty: false,
            push: false,
            remote: "origin",
            lockWaitMs: 200,
          },
        );
        stillHeld = existsSync(lock);
        return ok(waited);
      },
      (message) => message,
      { waitMs: 0 },
    );
    assert.ok(outcome.ok);
    const result = outcome.value;
    assert.equal(result.ok, false);
    assert.match(
      result.ok ? "" : result.error.message,
      new RegExp(
        `another nodepool command is changing images.yaml: .* is held by process ${process.pid} on this host ` +
          "since .*, and it is still running\\. Try again when it has finished",
      ),
    );
    assert.equal(repo.head(), head);
    assert.ok(stillHeld, "someone else's lock is never removed");
    assert.ok(!existsSync(lock), "the holder released it");
  });
});
