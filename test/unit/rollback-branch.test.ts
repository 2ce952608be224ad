// --branch and --push: the pull-request workflow. The checkout is never touched, and a push
// that fails leaves no branch behind.
import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { git, IMAGE, makeRepo, PREVIOUS, type TempRepo } from "../support/git-repo.js";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

const REVERT = ["revert", IMAGE, "-p", "hpcloud-az2"];

function addBareRemote(r: TempRepo): string {
  const remote = join(r.base, "remote.git");
  git(r.base, "init", "--quiet", "--bare", remote);
  r.git("remote", "add", "origin", remote);
  r.git("push", "--quiet", "origin", "main");
  return remote;
}

describe("--branch", () => {
  it("commits on a new branch from HEAD; HEAD, index and work tree stay as they were", async () => {
    repo = makeRepo();
    const head = repo.head();
    const text = repo.read();
    const result = await repo.nodepool(...REVERT, "--branch", "revert-devstack");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Committed on the new branch revert-devstack; your checkout is unchanged/);
    assert.equal(repo.head(), head);
    assert.equal(repo.git("symbolic-ref", "--short", "HEAD").trim(), "main");
    assert.equal(repo.read(), text);
    assert.equal(repo.git("status", "--porcelain"), "");
    assert.equal(repo.git("rev-parse", "revert-devstack~1").trim(), head);
    assert.match(repo.git("show", "revert-devstack:images.yaml"), new RegExp(`hpcloud-az2: ${PREVIOUS}\\n`));
    assert.equal(repo.git("show", "--name-only", "--format=", "revert-devstack").trim(), "images.yaml");
  });

  it("refuses a branch that exists, and a name git would not take", async () => {
    repo = makeRepo();
    repo.git("branch", "taken");
    const taken = await repo.nodepool(...REVERT, "--branch", "taken");
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /branch taken already exists: choose a new name for --branch/);
    const bad = await repo.nodepool(...REVERT, "--branch", "two..dots");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"two..dots" is not a valid branch name/);
  });
});

describe("--push", () => {
  it("pushes the new branch to a bare remote", async () => {
    repo = makeRepo();
    const remote = addBareRemote(repo);
    const result = await repo.nodepool(
      ...REVERT,
      "--branch",
      "revert-devstack",
      "--push",
      "-m",
      "bad pip cache",
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Pushed branch revert-devstack to origin: open a pull request from it/);
    const pushed = git(remote, "log", "-1", "--format=%s%n%b", "revert-devstack");
    assert.match(pushed, /^Revert devstack-precise on hpcloud-az2 to 1394417686\nbad pip cache\n/);
    assert.equal(git(remote, "rev-parse", "revert-devstack"), repo.git("rev-parse", "revert-devstack"));
  });

  it("removes the branch again when the remote rejects the push", async () => {
    repo = makeRepo();
    const remote = addBareRemote(repo);
    const hook = join(remote, "hooks", "pre-receive");
    writeFileSync(hook, "#!/bin/sh\necho 'protected: use the review system' >&2\nexit 1\n");
    chmodSync(hook, 0o755);
    const result = await repo.nodepool(...REVERT, "--branch", "revert-devstack", "--push");
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /git push to origin failed, nothing was committed:\n.*protected: use the review system/s,
    );
    assert.equal(repo.git("branch", "--list", "revert-devstack"), "");
  });

  it("needs --branch (exit 2) and an existing remote (exit 1)", async () => {
    repo = makeRepo();
    const noBranch = await repo.nodepool(...REVERT, "--push");
    assert.equal(noBranch.code, 2);
    assert.match(noBranch.stderr, /--push needs --branch NAME/);
    const noRemote = await repo.nodepool(...REVERT, "--branch", "b", "--push");
    assert.equal(noRemote.code, 1);
    assert.match(noRemote.stderr, /no git remote "origin" to push to/);
    assert.equal(repo.git("branch", "--list", "b"), "");
  });
});
