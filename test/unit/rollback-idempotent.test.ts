// Issue 12, item 7: a second `nodepool revert` of the same incident (two operators, a second
// clone, once locally and once with --branch --push) must change nothing and say so. Before,
// it read the pin the first revert wrote as the bad current build and, with keep ≥ 3, rejected
// the good build the first revert went back to.
import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { main } from "../../src/cli/main.js";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import type { Inventory } from "../../src/plan/inventory.js";
import { planRevert } from "../../src/rollback/plan-revert.js";
import { unchangedMessage } from "../../src/rollback/message.js";
import { captureIo } from "../support/capture-io.js";
import {
  build,
  changedLines,
  COMMENTED_IMAGES_YAML,
  CURRENT,
  git,
  IMAGE,
  makeRepo,
  PREVIOUS,
  seedInventory,
  type TempRepo,
} from "../support/git-repo.js";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

/** The build before PREVIOUS, as in test/fixtures/inventory/seed.json. */
const OLDER = 1394331000;
const RAX_PREVIOUS = 1394418000;
const RAX_CURRENT = 1394515000;
const KEEP_3 = COMMENTED_IMAGES_YAML.replace("keep: 2 ", "keep: 3 ");
const threeBuilds = (): Inventory =>
  seedInventory({
    "hpcloud-az2": [build("hpcloud-az2", OLDER, { cloudImageId: "381000" })],
    "rax-iad": [build("rax-iad", 1394331500)],
  });

const REVERT_AZ2 = ["revert", IMAGE, "-p", "hpcloud-az2"];

/** `nodepool ARGS` on another clone's images.yaml, with the same inventory. */
async function nodepoolIn(file: string, inventoryFile: string, ...args: string[]) {
  const io = captureIo();
  const code = await main([...args, "--file", file, "--inventory", inventoryFile], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

function assertUnchanged(r: TempRepo, head: string, text: string) {
  assert.equal(r.head(), head, "no commit");
  assert.equal(r.read(), text, "images.yaml is as the first revert left it");
  assert.equal(r.git("status", "--porcelain"), "");
}

function loaded(r: TempRepo): Config {
  const config = loadConfig(r.file);
  assert.ok(config.ok);
  return config.value;
}

describe("a second revert of the same incident (issue 12, item 7)", () => {
  it("with keep 3 changes nothing, exits 0 and says so, instead of rejecting the good build", async () => {
    repo = makeRepo(KEEP_3, threeBuilds());
    assert.equal((await repo.nodepool(...REVERT_AZ2)).code, 0);
    const head = repo.head();
    const text = repo.read();
    const again = await repo.nodepool(...REVERT_AZ2);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to change/);
    assertUnchanged(repo, head, text);
    assert.deepEqual(loaded(repo).pins, { [IMAGE]: { "hpcloud-az2": PREVIOUS } });
    assert.deepEqual(loaded(repo).rejected, { [IMAGE]: { "hpcloud-az2": [CURRENT] } });
  });

  it("with keep 2 (no older build) exits 0 too, not 'no previous ready build'", async () => {
    repo = makeRepo();
    assert.equal((await repo.nodepool(...REVERT_AZ2)).code, 0);
    const head = repo.head();
    const text = repo.read();
    const again = await repo.nodepool(...REVERT_AZ2);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /no previous ready build/);
    assertUnchanged(repo, head, text);
  });

  it("from a second clone that pulled the first revert changes nothing", async () => {
    repo = makeRepo(KEEP_3, threeBuilds());
    const clone = join(repo.base, "clone");
    git(repo.base, "clone", "--quiet", repo.repo, clone);
    assert.equal((await repo.nodepool(...REVERT_AZ2)).code, 0);
    git(clone, "pull", "--quiet", "--ff-only");
    const head = git(clone, "rev-parse", "HEAD");
    const again = await nodepoolIn(join(clone, "images.yaml"), repo.inventoryFile, ...REVERT_AZ2);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(git(clone, "rev-parse", "HEAD"), head, "no commit in the second clone");
    assert.equal(git(clone, "status", "--porcelain"), "");
  });

  it("with --branch --push after the same revert was committed locally: no branch, nothing pushed", async () => {
    repo = makeRepo(KEEP_3, threeBuilds());
    const remote = join(repo.base, "remote.git");
    git(repo.base, "init", "--quiet", "--bare", remote);
    repo.git("remote", "add", "origin", remote);
    repo.git("push", "--quiet", "origin", "main");
    assert.equal((await repo.nodepool(...REVERT_AZ2)).code, 0);
    const head = repo.head();
    const text = repo.read();
    const again = await repo.nodepool(...REVERT_AZ2, "--branch", "revert-again", "--push");
    assert.equal(again.code, 0, again.stderr);
    assertUnchanged(repo, head, text);
    assert.equal(repo.git("branch", "--list", "revert-again"), "", "no branch was made");
    assert.equal(git(remote, "branch", "--list", "revert-again"), "", "nothing was pushed");
  });

  it("on a checked-out branch that holds the first revert (made with --branch) changes nothing", async () => {
    repo = makeRepo(KEEP_3, threeBuilds());
    assert.equal((await repo.nodepool(...REVERT_AZ2, "--branch", "revert-devstack")).code, 0);
    repo.git("checkout", "--quiet", "revert-devstack");
    const head = repo.head();
    const text = repo.read();
    const again = await repo.nodepool(...REVERT_AZ2);
    assert.equal(again.code, 0, again.stderr);
    assertUnchanged(repo, head, text);
  });

  it("after a newer build is ready the image is still reverted: the pin holds, nothing changes", async () => {
    repo = makeRepo(KEEP_3, threeBuilds());
    assert.equal((await repo.nodepool(...REVERT_AZ2)).code, 0);
    const inventory = threeBuilds();
    const az2 = inventory.providers["hpcloud-az2"]!;
    if (az2.readable) az2.images.push(build("hpcloud-az2", 1394600000));
    repo.writeInventory(inventory);
    const head = repo.head();
    const text = repo.read();
    const again = await repo.nodepool(...REVERT_AZ2);
    assert.equal(again.code, 0, again.stderr);
    assertUnchanged(repo, head, text);
  });

  it("of every provider, after one was reverted: only the other changes, and the commit says why", async () => {
    repo = makeRepo(KEEP_3, threeBuilds());
    assert.equal((await repo.nodepool(...REVERT_AZ2)).code, 0);
    const result = await repo.nodepool("revert", IMAGE);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      repo.git("log", "-1", "--format=%s").trim(),
      `Revert ${IMAGE} on rax-iad to ${RAX_PREVIOUS}`,
    );
    assert.deepEqual(changedLines(repo), [`+    rax-iad: ${RAX_PREVIOUS}`, `+    rax-iad: [${RAX_CURRENT}]`]);
    assert.match(
      repo.git("log", "-1", "--format=%b"),
      new RegExp(`hpcloud-az2: already reverted, unchanged: pinned to ${PREVIOUS}, ${CURRENT} rejected\\n`),
    );
    assert.match(result.stdout, /hpcloud-az2: already reverted, unchanged/);
  });

  it("of every provider, after all were reverted: nothing changes", async () => {
    repo = makeRepo(KEEP_3, threeBuilds());
    assert.equal((await repo.nodepool("revert", IMAGE)).code, 0);
    const head = repo.head();
    const text = repo.read();
    const again = await repo.nodepool("revert", IMAGE);
    assert.equal(again.code, 0, again.stderr);
    assertUnchanged(repo, head, text);
  });
});

describe("what 'already reverted' means, per provider (issue 12, item 7)", () => {
  const configWith = (pins: Config["pins"], rejected: Config["rejected"]): Config => {
    repo = makeRepo(KEEP_3, threeBuilds());
    return { ...loaded(repo), pins, rejected };
  };
  const revertAz2 = (config: Config, inventory = threeBuilds()) => {
    const rollback = planRevert(inventory, IMAGE, ["hpcloud-az2"])(config);
    assert.ok(rollback.ok, rollback.ok ? "" : rollback.error.message);
    return rollback.value;
  };

  it("pinned to the build a revert of a rejected build would choose: no change, and the planner says which", () => {
    const config = configWith(
      { [IMAGE]: { "hpcloud-az2": PREVIOUS } },
      { [IMAGE]: { "hpcloud-az2": [CURRENT] } },
    );
    const rollback = revertAz2(config);
    assert.deepEqual(rollback.changes, []);
    assert.deepEqual(rollback.alreadyReverted, [
      {
        provider: "hpcloud-az2",
        pinned: { version: PREVIOUS, cloudImageId: "387612" },
        rejected: { version: CURRENT, cloudImageId: "388782" },
      },
    ]);
    assert.match(
      unchangedMessage(rollback, "images.yaml"),
      new RegExp(
        `^${IMAGE} is already reverted in hpcloud-az2: pinned to ${PREVIOUS}, ${CURRENT} rejected\\.\\n` +
          "Nothing to change in images.yaml\\. If the pinned build is bad too, reject it with " +
          "`nodepool delete-image ID` \\(`nodepool image-list` shows the IDs\\)\\.$",
      ),
    );
  });

  it("also when the rejected build is gone from the cloud (deleted by the next up)", () => {
    const config = configWith(
      { [IMAGE]: { "hpcloud-az2": PREVIOUS } },
      { [IMAGE]: { "hpcloud-az2": [CURRENT] } },
    );
    const inventory = threeBuilds();
    const az2 = inventory.providers["hpcloud-az2"]!;
    if (az2.readable) az2.images = az2.images.filter((b) => b.version !== CURRENT);
    const rollback = revertAz2(config, inventory);
    assert.deepEqual(rollback.changes, []);
    assert.deepEqual(rollback.alreadyReverted?.[0]?.rejected, { version: CURRENT });
  });

  it("a pin with no rejection above it is not a revert: the pinned build is reverted", () => {
    const rollback = revertAz2(configWith({ [IMAGE]: { "hpcloud-az2": PREVIOUS } }, {}));
    assert.deepEqual(
      rollback.changes.map((c) => [c.pin?.version, c.reject?.version]),
      [[OLDER, PREVIOUS]],
    );
  });

  it("a pin below a usable build that lies under the rejection is not what a revert wrote", () => {
    // Reverted to PREVIOUS, then pinned OLDER by hand: a revert now means OLDER is bad.
    const config = configWith(
      { [IMAGE]: { "hpcloud-az2": OLDER } },
      { [IMAGE]: { "hpcloud-az2": [CURRENT] } },
    );
    const inventory = threeBuilds();
    const az2 = inventory.providers["hpcloud-az2"]!;
    if (az2.readable) az2.images.push(build("hpcloud-az2", 1394200000));
    const rollback = revertAz2(config, inventory);
    assert.deepEqual(
      rollback.changes.map((c) => [c.pin?.version, c.reject?.version]),
      [[1394200000, OLDER]],
    );
  });

  it("a rejection without a pin (delete-image) is not a revert: the current build is reverted", () => {
    const rollback = revertAz2(configWith({}, { [IMAGE]: { "hpcloud-az2": [CURRENT] } }));
    assert.deepEqual(
      rollback.changes.map((c) => [c.pin?.version, c.reject?.version]),
      [[OLDER, PREVIOUS]],
    );
  });
});
