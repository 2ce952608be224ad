// `nodepool pin` and `nodepool unpin`.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { loadConfig } from "../../src/config/load.js";
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

let repo: TempRepo;
afterEach(() => repo?.cleanup());

const pinsNow = () => {
  const config = loadConfig(repo.file);
  assert.ok(config.ok);
  return config.value.pins;
};

describe("nodepool pin", () => {
  it("pins a ready build in the named provider, with a trailer", async () => {
    repo = makeRepo();
    const result = await repo.nodepool("pin", IMAGE, String(PREVIOUS), "-p", "hpcloud-az2");
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(changedLines(repo), [
      "-pins: {}",
      "+pins:",
      "+  devstack-precise:",
      `+    hpcloud-az2: ${PREVIOUS}`,
    ]);
    assert.equal(
      repo.git("log", "-1", "--format=%s").trim(),
      `Pin devstack-precise on hpcloud-az2 to ${PREVIOUS}`,
    );
    assert.equal(
      repo.git("log", "-1", "--format=%(trailers:key=Nodepool-Pinned,valueonly)").trim(),
      `devstack-precise hpcloud-az2 ${PREVIOUS} 387612`,
    );
  });

  it("refuses a version that is not ready there, listing the builds", async () => {
    repo = makeRepo(
      undefined,
      seedInventory({ "hpcloud-az2": [build("hpcloud-az2", 1394500000, { state: "failed" })] }),
    );
    const head = repo.head();
    const failed = await repo.nodepool("pin", IMAGE, "1394500000", "-p", "hpcloud-az2");
    assert.equal(failed.code, 1);
    assert.match(
      failed.stderr,
      /devstack-precise 1394500000 is not ready in hpcloud-az2 \(it is failed; builds there: 1394514268 ready \(current\), 1394500000 failed, 1394417686 ready\)/,
    );
    const absent = await repo.nodepool("pin", IMAGE, String(PREVIOUS));
    assert.equal(absent.code, 1, "rax-iad has no such build");
    assert.match(absent.stderr, /is not ready in rax-iad \(there is no such build;/);
    assert.equal(repo.head(), head);
  });

  it("repairs a pin to a build that no longer exists", async () => {
    repo = makeRepo(
      COMMENTED_IMAGES_YAML.replace("pins: {}", "pins:\n  devstack-precise:\n    hpcloud-az2: 1394000000"),
    );
    const result = await repo.nodepool("pin", IMAGE, String(PREVIOUS), "-p", "hpcloud-az2");
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(changedLines(repo), ["-    hpcloud-az2: 1394000000", `+    hpcloud-az2: ${PREVIOUS}`]);
  });

  it("refuses a rejected version", async () => {
    repo = makeRepo(
      COMMENTED_IMAGES_YAML.replace(
        "rejected: {}",
        `rejected: {devstack-precise: {hpcloud-az2: [${PREVIOUS}]}}`,
      ),
    );
    const result = await repo.nodepool("pin", IMAGE, String(PREVIOUS), "-p", "hpcloud-az2");
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is not ready in hpcloud-az2 \(it is rejected;/);
  });

  it("does nothing, successfully, when already pinned there", async () => {
    repo = makeRepo();
    assert.equal((await repo.nodepool("pin", IMAGE, String(PREVIOUS), "-p", "hpcloud-az2")).code, 0);
    const count = repo.commitCount();
    const again = await repo.nodepool("pin", IMAGE, String(PREVIOUS), "-p", "hpcloud-az2");
    assert.equal(again.code, 0);
    assert.match(again.stdout, /Nothing to change/);
    assert.equal(repo.commitCount(), count);
  });

  it("takes only a whole positive VERSION (exit 2)", async () => {
    repo = makeRepo();
    const result = await repo.nodepool("pin", IMAGE, "1.5");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /VERSION must be a build version/);
  });
});

describe("nodepool unpin", () => {
  const pinned = COMMENTED_IMAGES_YAML.replace(
    "pins: {}",
    `pins:\n  devstack-precise:\n    hpcloud-az2: ${PREVIOUS}   # until the fix\n    rax-iad: 1394418000`,
  );

  it("removes the pin in one provider, one line in the diff", async () => {
    repo = makeRepo(pinned);
    const result = await repo.nodepool("unpin", IMAGE, "-p", "hpcloud-az2");
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(changedLines(repo), [`-    hpcloud-az2: ${PREVIOUS}   # until the fix`]);
    assert.equal(
      repo.git("log", "-1", "--format=%(trailers:key=Nodepool-Unpinned,valueonly)").trim(),
      `devstack-precise hpcloud-az2 ${PREVIOUS}`,
    );
  });

  it("removes every pin of the image when no provider is named, back to pins: {}", async () => {
    repo = makeRepo(pinned);
    assert.equal((await repo.nodepool("unpin", IMAGE)).code, 0);
    assert.deepEqual(pinsNow(), {});
    assert.equal(repo.read(), COMMENTED_IMAGES_YAML);
    assert.equal(
      repo.git("log", "-1", "--format=%s").trim(),
      "Unpin devstack-precise on hpcloud-az2, rax-iad",
    );
  });

  it("refuses what is not pinned, saying where it is", async () => {
    repo = makeRepo(
      COMMENTED_IMAGES_YAML.replace("pins: {}", `pins:\n  devstack-precise:\n    rax-iad: ${CURRENT}`),
    );
    const one = await repo.nodepool("unpin", IMAGE, "-p", "hpcloud-az2");
    assert.equal(one.code, 1);
    assert.match(one.stderr, /devstack-precise is not pinned in hpcloud-az2 \(it is pinned in: rax-iad\)/);
    repo.cleanup();
    repo = makeRepo();
    const none = await repo.nodepool("unpin", IMAGE);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /devstack-precise is not pinned in any provider: nothing to unpin/);
  });
});
