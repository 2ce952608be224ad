// `nodepool revert` against real git repositories: exact diffs, commit messages, trailers,
// and that the planner then does what the commit says.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { loadConfig } from "../../src/config/load.js";
import { plan } from "../../src/plan/plan.js";
import { imagePlan, targets } from "../support/plan-queries.js";
import {
  build,
  changedLines,
  COMMENTED_IMAGES_YAML,
  CURRENT,
  IMAGE,
  makeRepo,
  PREVIOUS,
  seedInventory,
  type TempRepo,
} from "../support/git-repo.js";
import { TEST_OWNER } from "../support/plan-inventory.js";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

const trailer = (key: string) =>
  repo.git("log", "-1", `--format=%(trailers:key=${key},valueonly)`).trim().split("\n").filter(Boolean);

describe("nodepool revert", () => {
  it("pins the previous build and rejects the current one; the diff is only those lines", async () => {
    repo = makeRepo();
    const before = repo.commitCount();
    const result = await repo.nodepool(
      "revert",
      IMAGE,
      "--provider",
      "hpcloud-az2",
      "-m",
      "tempest fails on it",
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(repo.commitCount(), before + 1);
    assert.deepEqual(changedLines(repo), [
      "-pins: {}",
      "-rejected: {}",
      "+pins:",
      "+  devstack-precise:",
      `+    hpcloud-az2: ${PREVIOUS}`,
      "+rejected:",
      "+  devstack-precise:",
      `+    hpcloud-az2: [${CURRENT}]`,
    ]);
    assert.equal(
      repo.git("log", "-1", "--format=%s"),
      `Revert devstack-precise on hpcloud-az2 to ${PREVIOUS}\n`,
    );
    assert.match(repo.git("log", "-1", "--format=%b"), /^tempest fails on it\n/);
    assert.deepEqual(trailer("Nodepool-Rejected"), [`devstack-precise hpcloud-az2 ${CURRENT} 388782`]);
    assert.deepEqual(trailer("Nodepool-Pinned"), [`devstack-precise hpcloud-az2 ${PREVIOUS} 387612`]);
    assert.equal(repo.git("status", "--porcelain"), "", "the work tree is clean after the commit");
    assert.match(
      result.stdout,
      new RegExp(`^\\[main [0-9a-f]{12}\\] Revert devstack-precise on hpcloud-az2`),
    );
  });

  it("then plan() boots from the previous build and deletes the rejected one", async () => {
    repo = makeRepo();
    const inventory = seedInventory();
    const beforeRevert = loadConfig(repo.file);
    assert.ok(beforeRevert.ok);
    assert.equal(
      imagePlan(plan(beforeRevert.value, inventory, TEST_OWNER, inventory.readAt)).currentVersion,
      CURRENT,
    );

    assert.equal((await repo.nodepool("revert", IMAGE, "-p", "hpcloud-az2")).code, 0);
    const config = loadConfig(repo.file);
    assert.ok(config.ok);
    const result = plan(config.value, inventory, TEST_OWNER, inventory.readAt);
    assert.equal(imagePlan(result).currentVersion, PREVIOUS);
    assert.equal(imagePlan(result).pinnedVersion, PREVIOUS);
    assert.deepEqual(targets(result, "delete-image"), [`devstack-precise ${CURRENT}`]);
    assert.equal(imagePlan(result, IMAGE, "rax-iad").currentVersion, 1394515000, "rax-iad was not named");
  });

  it("reverts every provider of the image when none is named, listing them in the subject", async () => {
    repo = makeRepo();
    const result = await repo.nodepool("revert", IMAGE);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      repo.git("log", "-1", "--format=%s").trim(),
      `Revert devstack-precise on hpcloud-az2 to ${PREVIOUS}, rax-iad to 1394418000`,
    );
    assert.equal(trailer("Nodepool-Rejected").length, 2);
    assert.match(
      repo.read(),
      /pins:\n {2}devstack-precise:\n {4}hpcloud-az2: 1394417686\n {4}rax-iad: 1394418000\n/,
    );
  });

  it("refuses to revert a pinned build that has no older ready build below it, listing what exists", async () => {
    repo = makeRepo();
    // A pin with no rejection above it is not a revert (rollback-idempotent.test.ts): the
    // pinned build is what a revert now means is bad.
    assert.equal((await repo.nodepool("pin", IMAGE, String(PREVIOUS), "-p", "hpcloud-az2")).code, 0);
    const head = repo.head();
    const text = repo.read();
    const again = await repo.nodepool("revert", IMAGE, "-p", "hpcloud-az2");
    assert.equal(again.code, 1);
    assert.match(
      again.stderr,
      new RegExp(
        `no previous ready build of devstack-precise in hpcloud-az2 below the current ${PREVIOUS} .*` +
          `builds there: ${CURRENT} ready, ${PREVIOUS} ready \\(current, pinned\\)`,
      ),
    );
    assert.equal(repo.head(), head);
    assert.equal(repo.read(), text);
  });

  it("moves an existing pin and keeps comments and other entries of block maps", async () => {
    const yaml = COMMENTED_IMAGES_YAML.replace(
      "pins: {}\n",
      [
        "pins:",
        "  # hpcloud-az2 stays on the build before the pip breakage",
        "  devstack-precise:",
        `    hpcloud-az2: ${PREVIOUS}   # held since the pip breakage`,
        "",
      ].join("\n"),
    );
    repo = makeRepo(yaml, seedInventory({ "hpcloud-az2": [build("hpcloud-az2", 1394300000)] }));
    const result = await repo.nodepool("revert", IMAGE, "-p", "hpcloud-az2");
    assert.equal(result.code, 0, result.stderr);
    // Pinned to PREVIOUS, so that is current: the revert goes one further back and rejects it.
    assert.deepEqual(changedLines(repo), [
      `-    hpcloud-az2: ${PREVIOUS}   # held since the pip breakage`,
      "-rejected: {}",
      "+    hpcloud-az2: 1394300000   # held since the pip breakage",
      "+rejected:",
      "+  devstack-precise:",
      `+    hpcloud-az2: [${PREVIOUS}]`,
    ]);
  });

  it("--dry-run prints the diff and the message and changes nothing", async () => {
    repo = makeRepo();
    const head = repo.head();
    const text = repo.read();
    const result = await repo.nodepool("revert", IMAGE, "-p", "hpcloud-az2", "--dry-run");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^diff --git a\/images.yaml b\/images.yaml\n/);
    assert.match(result.stdout, /\n-pins: \{\}\n-rejected: \{\}\n\+pins:\n/);
    assert.match(
      result.stdout,
      /Commit message:\n {4}Revert devstack-precise on hpcloud-az2 to 1394417686\n/,
    );
    assert.match(result.stdout, /Dry run: nothing was written or committed\.\n$/);
    assert.equal(repo.head(), head);
    assert.equal(repo.read(), text);
    assert.equal(repo.git("status", "--porcelain", "--ignored"), "");
  });

  it("names unknown images and providers as usage errors (exit 2)", async () => {
    repo = makeRepo();
    const image = await repo.nodepool("revert", "devstack-trusty");
    assert.equal(image.code, 2);
    assert.match(image.stderr, /no image "devstack-trusty" in images.yaml \(images: devstack-precise\)/);
    const provider = await repo.nodepool("revert", IMAGE, "-p", "rax-dfw");
    assert.equal(provider.code, 2);
    assert.match(
      provider.stderr,
      /devstack-precise is not built in rax-dfw \(it is built in: hpcloud-az2, rax-iad\)/,
    );
  });

  it("exits 4 and changes nothing when a provider could not be read", async () => {
    const inventory = seedInventory();
    inventory.providers["rax-iad"] = { provider: "rax-iad", readable: false, error: "GET /images: 503" };
    repo = makeRepo(undefined, inventory);
    const head = repo.head();
    const result = await repo.nodepool("revert", IMAGE);
    assert.equal(result.code, 4);
    assert.match(result.stderr, /provider rax-iad could not be read, nothing was changed: GET \/images: 503/);
    assert.equal(repo.head(), head);
  });
});
