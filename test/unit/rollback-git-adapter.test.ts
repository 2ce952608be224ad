// The git adapter's small pieces on their own: atomic writes, the repository lock, the diff.
import assert from "node:assert/strict";
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  lstatSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, it } from "node:test";
import { writeFileAtomically } from "../../src/git/atomic-write.js";
import { diffTexts } from "../../src/git/diff.js";
import { withRepositoryLock } from "../../src/git/lock.js";
import { openRepository } from "../../src/git/repository.js";
import { ok } from "../../src/core/result.js";
import { makeRepo, type TempRepo } from "../support/git-repo.js";

let dir = "";
let repo: TempRepo | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  repo?.cleanup();
  dir = "";
  repo = undefined;
});

describe("writeFileAtomically", () => {
  it("replaces the content, keeps the mode and leaves no temporary file", () => {
    dir = mkdtempSync(join(tmpdir(), "nodepool-atomic-"));
    const file = join(dir, "images.yaml");
    writeFileSync(file, "old\n");
    chmodSync(file, 0o640);
    assert.ok(writeFileAtomically(file, "new\n").ok);
    assert.equal(readFileSync(file, "utf8"), "new\n");
    assert.equal(statSync(file).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(dir), ["images.yaml"]);
  });

  it("writes through a symlink to its target, keeping the link", () => {
    dir = mkdtempSync(join(tmpdir(), "nodepool-atomic-"));
    writeFileSync(join(dir, "real.yaml"), "old\n");
    symlinkSync("real.yaml", join(dir, "images.yaml"));
    assert.ok(writeFileAtomically(join(dir, "images.yaml"), "new\n").ok);
    assert.ok(lstatSync(join(dir, "images.yaml")).isSymbolicLink());
    assert.equal(readFileSync(join(dir, "real.yaml"), "utf8"), "new\n");
  });

  it("fails as a value, naming the file, when it cannot write", () => {
    const result = writeFileAtomically("/nonexistent-dir/images.yaml", "x");
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.error, /^cannot write \/nonexistent-dir\/images.yaml: /);
  });
});

describe("withRepositoryLock", () => {
  it("runs one holder at a time; the second starts after the first has finished", async () => {
    repo = makeRepo();
    const opened = await openRepository(repo.file);
    assert.ok(opened.ok);
    const events: string[] = [];
    const holder = (name: string) => async () => {
      events.push(`${name} in`);
      await sleep(150);
      events.push(`${name} out`);
      return ok(name);
    };
    const results = await Promise.all([
      withRepositoryLock(opened.value, holder("a"), (m) => m),
      withRepositoryLock(opened.value, holder("b"), (m) => m),
    ]);
    assert.deepEqual(results, [ok("a"), ok("b")]);
    assert.equal(events.length, 4);
    assert.deepEqual([events[0]!.split(" ")[1], events[1]!.split(" ")[1]], ["in", "out"], events.join(", "));
    assert.equal(events[0]!.split(" ")[0], events[1]!.split(" ")[0]);
  });

  it("is released when the work throws", async () => {
    repo = makeRepo();
    const opened = await openRepository(repo.file);
    assert.ok(opened.ok);
    await assert.rejects(
      withRepositoryLock(
        opened.value,
        async () => {
          throw new Error("boom");
        },
        (m) => m,
      ),
      /boom/,
    );
    assert.deepEqual(
      await withRepositoryLock(
        opened.value,
        async () => ok(1),
        (m) => m,
      ),
      ok(1),
    );
  });
});

describe("diffTexts", () => {
  it("labels the diff with the path in the repository", async () => {
    const diff = await diffTexts("config/images.yaml", "a: 1\nb: 2\n", "a: 1\nb: 3\n");
    assert.match(diff, /^diff --git a\/config\/images.yaml b\/config\/images.yaml\n/);
    assert.match(
      diff,
      /\n--- a\/config\/images.yaml\n\+\+\+ b\/config\/images.yaml\n@@ -1,2 \+1,2 @@\n a: 1\n-b: 2\n\+b: 3\n$/,
    );
  });
});
