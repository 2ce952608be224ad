// Every refusal says what to do and leaves the repository exactly as it was.
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { main } from "../../src/cli/main.js";
import { captureIo } from "../support/capture-io.js";
import { COMMENTED_IMAGES_YAML, IMAGE, makeRepo, seedInventory, type TempRepo } from "../support/git-repo.js";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

/** What a refusal must not change: HEAD, the index, every file's status, images.yaml. */
function snapshot(r: TempRepo) {
  return {
    head: r.git("rev-parse", "HEAD"),
    status: r.git("status", "--porcelain", "--untracked-files=all"),
    text: r.read(),
    branches: r.git("branch", "--list"),
  };
}

const REVERT = ["revert", IMAGE, "-p", "hpcloud-az2"];

describe("rollback commands refuse", () => {
  it("when images.yaml has uncommitted changes, unless --allow-dirty (which commits them too)", async () => {
    repo = makeRepo();
    writeFileSync(repo.file, repo.read().replace("max-servers: 8 ", "max-servers: 9 "));
    const before = snapshot(repo);
    const refused = await repo.nodepool(...REVERT);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /images.yaml has uncommitted changes: commit or stash them first, or pass --allow-dirty/,
    );
    assert.deepEqual(snapshot(repo), before);

    const allowed = await repo.nodepool(...REVERT, "--allow-dirty");
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(repo.git("show", "HEAD", "--format="), /\+ {4}max-servers: 9 /);
    assert.equal(repo.git("status", "--porcelain"), "");
  });

  it("commits only images.yaml, leaving other staged and unstaged work alone", async () => {
    repo = makeRepo();
    writeFileSync(join(repo.repo, "notes.txt"), "staged\n");
    repo.git("add", "notes.txt");
    writeFileSync(join(repo.repo, "setup/prepare_devstack.sh"), "#!/bin/sh\n# edited\n");
    const result = await repo.nodepool(...REVERT);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(repo.git("show", "HEAD", "--name-only", "--format=").trim(), "images.yaml");
    assert.equal(repo.git("status", "--porcelain"), "A  notes.txt\n M setup/prepare_devstack.sh\n");
  });

  it("on a detached HEAD, unless --branch", async () => {
    repo = makeRepo();
    repo.git("checkout", "--quiet", "--detach", "HEAD");
    const before = snapshot(repo);
    const refused = await repo.nodepool(...REVERT);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /HEAD is detached \(at [0-9a-f]{12}\): check out the branch to commit on, or pass --branch NAME/,
    );
    assert.deepEqual(snapshot(repo), before);

    const onBranch = await repo.nodepool(...REVERT, "--branch", "revert-devstack");
    assert.equal(onBranch.code, 0, onBranch.stderr);
    assert.equal(repo.git("rev-parse", "revert-devstack~1"), before.head);
  });

  it("when git's index is locked, and leaves the lock alone", async () => {
    repo = makeRepo();
    const lock = join(repo.repo, ".git", "index.lock");
    writeFileSync(lock, "");
    const before = snapshot(repo);
    const result = await repo.nodepool(...REVERT);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /git's index is locked \(.*index\.lock exists\): another git command is running/,
    );
    assert.match(result.stderr, /if no git command is running, remove that file/);
    assert.ok(existsSync(lock));
    rmSync(lock);
    assert.deepEqual(snapshot(repo), before);
  });

  it("outside a git repository", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nodepool-no-repo-"));
    try {
      writeFileSync(join(dir, "images.yaml"), COMMENTED_IMAGES_YAML);
      writeFileSync(join(dir, "inventory.json"), JSON.stringify(seedInventory()));
      const io = captureIo();
      const args = [...REVERT, "-f", join(dir, "images.yaml"), "-i", join(dir, "inventory.json")];
      assert.equal(await main(args, io), 1);
      assert.match(
        io.stderr(),
        /is not inside a git repository: nodepool records pins and rejected builds as git commits/,
      );
      assert.equal(readFileSync(join(dir, "images.yaml"), "utf8"), COMMENTED_IMAGES_YAML);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("when images.yaml is not tracked", async () => {
    repo = makeRepo();
    repo.git("rm", "--cached", "--quiet", "images.yaml");
    repo.git("commit", "--quiet", "-m", "untrack");
    const result = await repo.nodepool(...REVERT);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /images.yaml is not tracked by git: commit it first/);
  });

  it("when images.yaml is invalid before the change, listing the problems", async () => {
    repo = makeRepo(COMMENTED_IMAGES_YAML.replace("max-servers: 8 ", "max-servers: many "));
    const result = await repo.nodepool(...REVERT);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /images.yaml is not valid; fix it first:\n.*images.yaml:11:/);
  });

  it("when the commit fails (a hook), restoring images.yaml", async () => {
    repo = makeRepo();
    const hook = join(repo.repo, ".git", "hooks", "pre-commit");
    writeFileSync(hook, "#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n");
    chmodSync(hook, 0o755);
    const before = snapshot(repo);
    const result = await repo.nodepool(...REVERT);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /git commit failed, .*images.yaml is unchanged: .*policy: no commits today/s);
    assert.deepEqual(snapshot(repo), before);
  });

  it("when there is no ready build to revert in the inventory", async () => {
    const inventory = seedInventory();
    inventory.providers["hpcloud-az2"] = {
      provider: "hpcloud-az2",
      readable: true,
      images: [],
      templates: [],
      nodes: [],
      requests: [],
    };
    repo = makeRepo(undefined, inventory);
    const result = await repo.nodepool(...REVERT);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /no ready build of devstack-precise in hpcloud-az2 to revert \(builds there: none\)/,
    );
    assert.doesNotMatch(result.stderr, /name them with --provider/, "a provider was named");
    const implied = await repo.nodepool("revert", IMAGE);
    assert.equal(implied.code, 1);
    assert.match(
      implied.stderr,
      /nothing was changed; to revert the other providers, name them with --provider/,
    );
  });

  it("when the inventory file is not an inventory", async () => {
    repo = makeRepo();
    writeFileSync(repo.inventoryFile, '{"readAt": 1}');
    const result = await repo.nodepool(...REVERT);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /not a valid inventory \(format: docs\/inventory.md\)/);
  });
});
