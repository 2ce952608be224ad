// `nodepool delete-image ID`, checked against the operator page's account: the previous build
// becomes current, and when the next build is ready it becomes current while the previous
// one is still kept as the next most recent.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { imageBuildId } from "../../src/core/ids.js";
import { loadConfig } from "../../src/config/load.js";
import type { Inventory } from "../../src/plan/inventory.js";
import { plan } from "../../src/plan/plan.js";
import { planDeleteImage } from "../../src/rollback/plan-delete-image.js";
import { parse, VALID_CONFIG } from "../support/config-fixtures.js";
import { imagePlan, keptVersions, targets } from "../support/plan-queries.js";
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

const idOf = (version: number, provider = "hpcloud-az2") => imageBuildId({ provider, image: IMAGE, version });

function planned(inventory: Inventory, now = inventory.readAt) {
  const config = loadConfig(repo.file);
  assert.ok(config.ok);
  return plan(config.value, inventory, TEST_OWNER, now);
}

describe("nodepool delete-image ID", () => {
  it("rejects that build only (no pin); the previous one becomes current, as on the operator page", async () => {
    repo = makeRepo();
    const result = await repo.nodepool("delete-image", idOf(CURRENT), "-m", "devstack fails to start");
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(changedLines(repo), [
      "-rejected: {}",
      "+rejected:",
      "+  devstack-precise:",
      `+    hpcloud-az2: [${CURRENT}]`,
    ]);
    assert.equal(
      repo.git("log", "-1", "--format=%s").trim(),
      `Reject devstack-precise ${CURRENT} on hpcloud-az2 (delete-image ${idOf(CURRENT)})`,
    );
    assert.match(
      repo.git("log", "-1", "--format=%b"),
      /hpcloud-az2: new nodes boot from 1394417686\n {2}rejected 1394514268, image 388782\n/,
    );

    const now = seedInventory();
    const afterDelete = planned(now);
    assert.equal(imagePlan(afterDelete).currentVersion, PREVIOUS);
    assert.deepEqual(targets(afterDelete, "delete-image"), [`devstack-precise ${CURRENT}`]);

    // A day later the next build is ready (the rejected one is gone): it becomes current and
    // the previous one is still kept, as the next most recent.
    const NEXT = CURRENT + 86400;
    const nextDay: Inventory = seedInventory({ "hpcloud-az2": [build("hpcloud-az2", NEXT)] });
    const hp = nextDay.providers["hpcloud-az2"]!;
    if (hp.readable) hp.images = hp.images.filter((b) => b.version !== CURRENT);
    nextDay.readAt = NEXT + 3600;
    const later = planned(nextDay);
    assert.equal(imagePlan(later).currentVersion, NEXT);
    assert.equal(imagePlan(later).previousVersion, PREVIOUS);
    assert.deepEqual(keptVersions(later), [PREVIOUS, NEXT]);
    assert.deepEqual(targets(later, "delete-image"), []);
  });

  it("removes a pin on the deleted build too, so the config stays valid", async () => {
    repo = makeRepo(
      COMMENTED_IMAGES_YAML.replace("pins: {}", `pins:\n  devstack-precise:\n    hpcloud-az2: ${CURRENT}`),
    );
    const result = await repo.nodepool("delete-image", idOf(CURRENT));
    assert.equal(result.code, 0, result.stderr);
    const config = loadConfig(repo.file);
    assert.ok(config.ok);
    assert.deepEqual(config.value.pins, {});
    assert.match(
      repo.git("log", "-1", "--format=%b"),
      new RegExp(`Nodepool-Unpinned: devstack-precise hpcloud-az2 ${CURRENT}`),
    );
  });

  it("of an older build leaves the current one current", async () => {
    repo = makeRepo();
    assert.equal((await repo.nodepool("delete-image", idOf(PREVIOUS))).code, 0);
    const result = planned(seedInventory());
    assert.equal(imagePlan(result).currentVersion, CURRENT);
    assert.equal(imagePlan(result).previousVersion, undefined);
  });

  it("says when the only usable build goes", async () => {
    repo = makeRepo();
    assert.equal((await repo.nodepool("delete-image", idOf(PREVIOUS))).code, 0);
    assert.equal((await repo.nodepool("delete-image", idOf(CURRENT))).code, 0);
    assert.match(repo.git("log", "-1", "--format=%b"), /no ready build is left to boot new nodes from/);
  });

  it("refuses an unknown ID (exit 2), an already rejected build, and reports unread providers (exit 4)", async () => {
    repo = makeRepo();
    const unknown = await repo.nodepool("delete-image", "00000000");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no image build has ID 00000000; `nodepool image-list` shows the IDs/);

    assert.equal((await repo.nodepool("delete-image", idOf(CURRENT))).code, 0);
    const again = await repo.nodepool("delete-image", idOf(CURRENT));
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`devstack-precise ${CURRENT} in hpcloud-az2 is already rejected`));

    const inventory = seedInventory();
    inventory.providers["rax-iad"] = { provider: "rax-iad", readable: false, error: "timeout" };
    repo.writeInventory(inventory);
    const unread = await repo.nodepool("delete-image", "00000000");
    assert.equal(unread.code, 4);
    assert.match(unread.stderr, /could not read: rax-iad/);
  });
});

describe("planDeleteImage, pure", () => {
  const config = () => {
    const loaded = parse(VALID_CONFIG);
    assert.ok(loaded.ok);
    return loaded.value;
  };

  it("finds a build that has only a template server so far, and rejects it without a cloud id", () => {
    const inventory = seedInventory();
    const hp = inventory.providers["hpcloud-az2"]!;
    assert.ok(hp.readable);
    hp.templates.push({
      provider: "hpcloud-az2",
      image: IMAGE,
      version: 1394600000,
      serverId: "4951000",
      hostname: `${IMAGE}-1394600000.template.openstack.org`,
      state: "active",
      createdAt: 1394600000,
    });
    const result = planDeleteImage(inventory, idOf(1394600000), imageBuildId)(config());
    assert.ok(result.ok, result.ok ? "" : result.error.message);
    assert.equal(result.value.changes.length, 1);
    const [change] = result.value.changes;
    assert.equal(change!.provider, "hpcloud-az2");
    assert.deepEqual(change!.reject, { version: 1394600000 });
    assert.equal(change!.unpin, undefined);
    assert.equal(
      result.value.changes[0]!.nextCurrent?.version,
      CURRENT,
      "an unfinished build was never current",
    );
  });

  it("refuses an ID that matches two builds", () => {
    const result = planDeleteImage(seedInventory(), "same", () => "same")(config());
    assert.equal(result.ok, false);
    assert.match(
      result.ok ? "" : result.error.message,
      /^ID same matches several builds \(devstack-precise 1394417686 in hpcloud-az2; /,
    );
  });
});
