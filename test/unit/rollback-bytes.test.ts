// Rollback commands change images.yaml byte for byte or not at all (issue 11), and a dry run
// works wherever it writes nothing: a detached HEAD (CI's checkout), a dirty or untracked file.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, it } from "node:test";
import { changedLines, COMMENTED_IMAGES_YAML, IMAGE, makeRepo, type TempRepo } from "../support/git-repo.js";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

const REVERT = ["revert", IMAGE, "-p", "hpcloud-az2"];
const ROLLBACKS = [
  REVERT,
  ["pin", IMAGE, "1394417686", "-p", "hpcloud-az2"],
  ["unpin", IMAGE],
  ["delete-image", "0"],
];

describe("rollback commands and the bytes of images.yaml", () => {
  it("refuse a file with a byte that is not UTF-8, naming its position, and change nothing", async () => {
    const latin1 = Buffer.from(`# R\xe9gion: notes\n${COMMENTED_IMAGES_YAML}`, "latin1");
    repo = makeRepo();
    writeFileSync(repo.file, latin1);
    repo.git("commit", "--quiet", "-am", "latin-1 comment");
    for (const args of ROLLBACKS) {
      const result = await repo.nodepool(...args);
      assert.equal(result.code, 1, `${args[0]}: ${result.stderr}`);
      assert.match(result.stderr, /images\.yaml:1:4: not UTF-8 text: byte 0xE9 at line 1, column 4/, args[0]);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
      assert.deepEqual(readFileSync(repo.file), latin1, `${args[0]} left the bytes alone`);
    }
    assert.equal(repo.commitCount(), 2);
  });

  it("keep a byte-order mark and every other byte: the diff is the pin and the rejection only", async () => {
    repo = makeRepo(`\uFEFF${COMMENTED_IMAGES_YAML}`);
    const result = await repo.nodepool(...REVERT);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(
      readFileSync(repo.file)
        .subarray(0, 3)
        .equals(Buffer.from([0xef, 0xbb, 0xbf])),
      "BOM kept",
    );
    assert.deepEqual(changedLines(repo), [
      "-pins: {}",
      "-rejected: {}",
      "+pins:",
      `+  ${IMAGE}:`,
      "+    hpcloud-az2: 1394417686",
      "+rejected:",
      `+  ${IMAGE}:`,
      "+    hpcloud-az2: [1394514268]",
    ]);
  });

  it("keep CRLF line endings, on the new lines too", async () => {
    repo = makeRepo(COMMENTED_IMAGES_YAML.replaceAll("\n", "\r\n"));
    assert.equal((await repo.nodepool(...REVERT)).code, 0);
    const text = repo.read();
    assert.ok(!/[^\r]\n/.test(text), "CRLF line endings kept on every line, new ones included");
  });
});

describe("--dry-run writes nothing, so it is not refused where a commit would be", () => {
  it("on a detached HEAD (a CI checkout), with a note of what a real run needs", async () => {
    repo = makeRepo();
    repo.git("checkout", "--quiet", "--detach", "HEAD");
    const result = await repo.nodepool(...REVERT, "--dry-run");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\+ {4}hpcloud-az2: 1394417686/);
    assert.match(result.stdout, /HEAD is detached: without --dry-run, pass --branch NAME/);
    assert.equal(repo.git("status", "--porcelain"), "");
  });

  it("with uncommitted changes: the diff is against the file as it is", async () => {
    repo = makeRepo();
    const dirty = repo.read().replace("max-servers: 8 ", "max-servers: 9 ");
    writeFileSync(repo.file, dirty);
    const result = await repo.nodepool(...REVERT, "--dry-run");
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /images\.yaml has uncommitted changes: the diff is against the file as it is/,
    );
    assert.equal(repo.read(), dirty);
    assert.equal(repo.commitCount(), 1);
  });
});
