// Retention: which builds stay. The current and the previous build always stay.
import assert from "node:assert/strict";
import { test } from "node:test";
import { plan } from "../../src/plan/plan.js";
import { configFromYaml, seedYaml } from "../support/config-fixtures.js";
import { inventoryOf, readyBuild, TEST_OWNER } from "../support/plan-inventory.js";
import { imagePlan, keptVersions, reasonFor, targets } from "../support/plan-queries.js";

const DAY = 86400;
const NOW = 1_400_000_000;
const base = configFromYaml(seedYaml());
/** Ready builds 1..n days old, oldest first. */
const days = (n: number) => Array.from({ length: n }, (_, i) => NOW - (n - i) * DAY + 3600);
const withConfig = (extra: string, keep = 2) =>
  configFromYaml(seedYaml({ extra }).replace("    keep: 2\n", `    keep: ${keep}\n`));
const ready = (versions: number[]) => versions.map((v) => readyBuild(base, v));

test("keep 2: the current and previous stay, older ready builds go with a reason", () => {
  const versions = days(4);
  const result = plan(
    base,
    inventoryOf(NOW, { "hpcloud-az2": { images: ready(versions) } }),
    TEST_OWNER,
    NOW,
  );
  assert.deepEqual(keptVersions(result), versions.slice(2));
  assert.deepEqual(
    targets(result, "delete-image"),
    versions.slice(0, 2).map((v) => `devstack-precise ${v}`),
  );
  assert.equal(reasonFor(result, "delete-image", `devstack-precise ${versions[0]}`), "older than the 2 kept");
});

test("keep 3 keeps the three newest ready builds", () => {
  const versions = days(5);
  const config = withConfig("", 3);
  const result = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: ready(versions) } }),
    TEST_OWNER,
    NOW,
  );
  assert.deepEqual(keptVersions(result), versions.slice(2));
});

test("a pinned old build stays with the one below it, besides the newest ones", () => {
  const versions = days(6);
  const pinned = versions[1]!;
  const config = withConfig(`pins:\n  devstack-precise:\n    hpcloud-az2: ${pinned}\n`);
  const result = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: ready(versions) } }),
    TEST_OWNER,
    NOW,
  );
  assert.equal(imagePlan(result).currentVersion, pinned);
  assert.equal(imagePlan(result).previousVersion, versions[0]);
  assert.deepEqual(keptVersions(result), [versions[0], versions[1], versions[4], versions[5]]);
  const kept = imagePlan(result).kept.find((k) => k.version === pinned);
  assert.deepEqual(kept?.reasons, ["current", "pinned"]);
});

test("failed and rejected builds go; rejected ones do not count toward keep", () => {
  const [a, b, c, d] = days(4) as [number, number, number, number];
  const config = withConfig(`rejected:\n  devstack-precise:\n    hpcloud-az2: [${c}]\n`);
  const images = [
    readyBuild(base, a),
    readyBuild(base, b),
    readyBuild(base, c),
    readyBuild(base, d, { state: "failed", cloudImageId: undefined }),
  ];
  const result = plan(config, inventoryOf(NOW, { "hpcloud-az2": { images } }), TEST_OWNER, NOW);
  assert.equal(imagePlan(result).currentVersion, b);
  assert.equal(imagePlan(result).previousVersion, a);
  assert.deepEqual(keptVersions(result), [a, b]);
  assert.equal(reasonFor(result, "delete-image", `devstack-precise ${c}`), "rejected in images.yaml");
  assert.equal(reasonFor(result, "delete-image", `devstack-precise ${d}`), "the build failed");
});

test("a rejected build in progress is deleted rather than finished", () => {
  const version = NOW - 600;
  const config = withConfig(`rejected:\n  devstack-precise:\n    hpcloud-az2: [${version}]\n`);
  const building = readyBuild(base, version, { state: "building", cloudImageId: undefined });
  const result = plan(config, inventoryOf(NOW, { "hpcloud-az2": { images: [building] } }), TEST_OWNER, NOW);
  assert.equal(reasonFor(result, "delete-image", `devstack-precise ${version}`), "rejected in images.yaml");
});

test("with a bad pin no usable build is deleted (nobody knows which one is wanted)", () => {
  const versions = days(5);
  const config = withConfig(`pins:\n  devstack-precise:\n    hpcloud-az2: 123\n`);
  const failed = readyBuild(base, NOW - 600, { state: "failed", cloudImageId: undefined });
  const result = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: [...ready(versions), failed] } }),
    TEST_OWNER,
    NOW,
  );
  assert.equal(result.errors.length, 1);
  assert.deepEqual(keptVersions(result), versions);
  assert.deepEqual(targets(result, "delete-image"), [`devstack-precise ${NOW - 600}`]);
});

test("a build in progress is kept alongside the retained ready ones", () => {
  const versions = days(3);
  const building = readyBuild(base, NOW - 60, { state: "building", cloudImageId: undefined });
  const result = plan(
    base,
    inventoryOf(NOW, { "hpcloud-az2": { images: [...ready(versions), building] } }),
    TEST_OWNER,
    NOW,
  );
  assert.deepEqual(keptVersions(result), [versions[1], versions[2], NOW - 60]);
});

test("a ready record without a snapshot id is an error and is kept, never used", () => {
  const [a, b] = days(2) as [number, number];
  const broken = readyBuild(base, b, { cloudImageId: undefined });
  const result = plan(
    base,
    inventoryOf(NOW, { "hpcloud-az2": { images: [readyBuild(base, a), broken] } }),
    TEST_OWNER,
    NOW,
  );
  assert.equal(imagePlan(result).currentVersion, a);
  assert.deepEqual(keptVersions(result), [a, b]);
  assert.match(result.errors[0]?.message ?? "", /ready but has no cloudImageId/);
});
