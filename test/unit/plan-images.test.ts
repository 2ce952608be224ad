// Image rules: when a build starts, what it looks like, and which build is current.
import assert from "node:assert/strict";
import { test } from "node:test";
import { plan } from "../../src/plan/plan.js";
import type { TemplateServer } from "../../src/plan/inventory.js";
import { configFromYaml, seedYaml, SCRIPTS } from "../support/config-fixtures.js";
import { inventoryOf, readyBuild, template, TEST_OWNER } from "../support/plan-inventory.js";
import { imagePlan, providerPlan, reasonFor, targets } from "../support/plan-queries.js";

const NOW = 1_400_000_000;
const HOUR = 3600;
const config = configFromYaml(seedYaml());

/** A kept template server as the plan hands it to the program: every input resolved. */
const kept = (t: TemplateServer) => ({
  ...t,
  owner: TEST_OWNER,
  resourceName: `${t.provider}.${t.image}-${t.version}`,
  imageName: `${t.image}-${t.version}`,
  flavor: "m1.nodepool",
  buildTimeoutSeconds: 3600,
});

test("a build starts when there is no ready build, with version = now and the template hostname", () => {
  const result = plan(config, inventoryOf(NOW, { "hpcloud-az2": {} }), TEST_OWNER, NOW);
  assert.equal(reasonFor(result, "build", `devstack-precise ${NOW}`), "no ready build");
  const [build] = providerPlan(result).desired.newBuilds;
  assert.deepEqual(build, {
    provider: "hpcloud-az2",
    image: "devstack-precise",
    version: NOW,
    hostname: `devstack-precise-${NOW}.template.openstack.org`,
    baseImage: "ubuntu-precise",
    flavor: "m1.nodepool",
    networks: ["nodepool-net"],
    setup: "setup/prepare_devstack.sh",
    definitionHash: build!.definitionHash,
    buildTimeoutSeconds: 3600,
    // Resolved for the program: its resource name, the user data's digest, its owner.
    resourceName: `hpcloud-az2.devstack-precise-${NOW}`,
    userDataDigest: config.setupDigests["setup/prepare_devstack.sh"],
    owner: TEST_OWNER,
  });
  assert.match(build!.definitionHash, /^[0-9a-f]{16}$/);
});

test("without a template-domain the hostname is just image-version; image flavor wins", () => {
  const yaml = seedYaml()
    .replace("    template-domain: template.openstack.org\n", "")
    .replace("    base-image: ubuntu-precise\n", "    base-image: ubuntu-precise\n    flavor: m1.large\n");
  const result = plan(configFromYaml(yaml), inventoryOf(NOW, { "hpcloud-az2": {} }), TEST_OWNER, NOW);
  const [build] = providerPlan(result).desired.newBuilds;
  assert.equal(build!.hostname, `devstack-precise-${NOW}`);
  assert.equal(build!.flavor, "m1.large");
});

test("a build starts when the newest ready one is older than rebuild-age, not before", () => {
  const fresh = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: [readyBuild(config, NOW - 23 * HOUR)] } }),
    TEST_OWNER,
    NOW,
  );
  assert.deepEqual(targets(fresh, "build"), []);
  const old = readyBuild(config, NOW - Math.round(26.8 * HOUR));
  const due = plan(config, inventoryOf(NOW, { "hpcloud-az2": { images: [old] } }), TEST_OWNER, NOW);
  assert.equal(
    reasonFor(due, "build", `devstack-precise ${NOW}`),
    "newest ready is 26.8 h old, rebuild-age 24.0 h",
  );
});

test("a build starts when the image definition changed since the newest ready build", () => {
  const recent = readyBuild(config, NOW - HOUR);
  const changed = configFromYaml(seedYaml(), { ...SCRIPTS, "setup/prepare_devstack.sh": "echo changed\n" });
  const result = plan(changed, inventoryOf(NOW, { "hpcloud-az2": { images: [recent] } }), TEST_OWNER, NOW);
  assert.match(
    reasonFor(result, "build", `devstack-precise ${NOW}`),
    new RegExp(
      `^definition changed since ${NOW - HOUR} was built \\(hash ${recent.definitionHash} → [0-9a-f]{16}\\)$`,
    ),
  );
  const sameConfig = plan(config, inventoryOf(NOW, { "hpcloud-az2": { images: [recent] } }), TEST_OWNER, NOW);
  assert.deepEqual(targets(sameConfig, "build"), []);
});

test("no build while one is in progress: a building record, or a template server without one", () => {
  const old = readyBuild(config, NOW - 30 * HOUR);
  const building = readyBuild(config, NOW - 600, { state: "building", cloudImageId: undefined });
  const byRecord = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: [old, building] } }),
    TEST_OWNER,
    NOW,
  );
  assert.deepEqual(targets(byRecord, "build"), []);
  assert.equal(imagePlan(byRecord).buildingVersion, NOW - 600);
  assert.equal(imagePlan(byRecord).noBuildReason, `build ${NOW - 600} in progress for 10 min`);
  assert.ok(providerPlan(byRecord).desired.builds.some((b) => b.version === NOW - 600));

  const setup = template(NOW - 900, { state: "shutoff" });
  const byTemplate = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: [old], templates: [setup] } }),
    TEST_OWNER,
    NOW,
  );
  assert.deepEqual(targets(byTemplate, "build"), []);
  assert.deepEqual(providerPlan(byTemplate).desired.templates, [kept(setup)]);
});

test("a template server is snapshotted once its setup finished, and only until its snapshot exists", () => {
  const old = readyBuild(config, NOW - 30 * HOUR);
  const running = template(NOW - 900, { state: "active" });
  const shutOff = template(NOW - 800, { state: "shutoff" });
  const saidDone = template(NOW - 700, { state: "active", setupDone: true });
  const failed = template(NOW - 600, { state: "failed" });
  const result = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: [old], templates: [running, shutOff, saidDone, failed] } }),
    TEST_OWNER,
    NOW,
  );
  assert.deepEqual(providerPlan(result).desired.snapshots, [kept(shutOff), kept(saidDone)]);
  assert.equal(
    reasonFor(result, "snapshot", `devstack-precise ${NOW - 800}`),
    "setup finished: the template server shut itself off",
  );
  assert.equal(
    reasonFor(result, "snapshot", `devstack-precise ${NOW - 700}`),
    "setup finished: the template server set nodepool_setup=done",
  );

  // Its snapshot under way (a building record): the template stays, no second snapshot.
  const saving = readyBuild(config, NOW - 800, { state: "building", cloudImageId: undefined });
  const later = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: [old, saving], templates: [shutOff] } }),
    TEST_OWNER,
    NOW,
  );
  assert.deepEqual(providerPlan(later).desired.snapshots, []);
  assert.deepEqual(providerPlan(later).desired.templates, [kept(shutOff)]);
  assert.deepEqual(targets(later, "snapshot"), []);
});

test("a build past build-timeout is abandoned: its record and template go, and a new one starts", () => {
  const stuck = readyBuild(config, NOW - 2 * HOUR, { state: "building", cloudImageId: undefined });
  const server = template(NOW - 2 * HOUR);
  const result = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: [stuck], templates: [server] } }),
    TEST_OWNER,
    NOW,
  );
  const reason = "build timed out: started 2.0 h ago, build-timeout 1.0 h";
  assert.equal(reasonFor(result, "delete-image", `devstack-precise ${NOW - 2 * HOUR}`), reason);
  assert.equal(reasonFor(result, "delete-template", `devstack-precise ${NOW - 2 * HOUR}`), reason);
  assert.deepEqual(targets(result, "build"), [`devstack-precise ${NOW}`]);
});

test("a template server goes once its snapshot is ready, or its build failed", () => {
  const done = readyBuild(config, NOW - 600);
  const failed = readyBuild(config, NOW - 1200, { state: "failed", cloudImageId: undefined });
  const templates = [template(NOW - 600), template(NOW - 1200)];
  const result = plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images: [done, failed], templates } }),
    TEST_OWNER,
    NOW,
  );
  assert.equal(
    reasonFor(result, "delete-template", `devstack-precise ${NOW - 600}`),
    `its snapshot ${NOW - 600} is ready`,
  );
  assert.equal(
    reasonFor(result, "delete-template", `devstack-precise ${NOW - 1200}`),
    `build ${NOW - 1200} failed`,
  );
  assert.deepEqual(providerPlan(result).desired.templates, []);
});

test("no build for a paused image, and the plan says what was due", () => {
  const yaml = seedYaml().replace("    keep: 2\n", "    keep: 2\n    paused: true\n");
  const result = plan(configFromYaml(yaml), inventoryOf(NOW, { "hpcloud-az2": {} }), TEST_OWNER, NOW);
  assert.deepEqual(targets(result, "build"), []);
  assert.equal(imagePlan(result).noBuildReason, "paused (otherwise due: no ready build)");
});

test("a new version is above every existing one even if the clock is behind", () => {
  const ahead = readyBuild(config, NOW + 50, { state: "failed", cloudImageId: undefined });
  const result = plan(config, inventoryOf(NOW, { "hpcloud-az2": { images: [ahead] } }), TEST_OWNER, NOW);
  assert.deepEqual(targets(result, "build"), [`devstack-precise ${NOW + 51}`]);
});

test("current is the pinned version when pinned, else the newest ready non-rejected one", () => {
  const images = [1, 2, 3].map((day) => readyBuild(config, NOW - (4 - day) * 86400));
  const [oldest, middle, newest] = images.map((b) => b.version) as [number, number, number];
  const inventory = inventoryOf(NOW, { "hpcloud-az2": { images } });

  assert.equal(imagePlan(plan(config, inventory, TEST_OWNER, NOW)).currentVersion, newest);
  const rejected = configFromYaml(
    seedYaml({ extra: `rejected:\n  devstack-precise:\n    hpcloud-az2: [${newest}]\n` }),
  );
  assert.equal(imagePlan(plan(rejected, inventory, TEST_OWNER, NOW)).currentVersion, middle);
  const pinned = configFromYaml(
    seedYaml({ extra: `pins:\n  devstack-precise:\n    hpcloud-az2: ${oldest}\n` }),
  );
  const result = plan(pinned, inventory, TEST_OWNER, NOW);
  assert.equal(imagePlan(result).currentVersion, oldest);
  assert.equal(imagePlan(result).pinnedVersion, oldest);
  assert.deepEqual(result.errors, []);
});

test("a pin to a version that is not a ready build is an error naming the ready ones", () => {
  const images = [readyBuild(config, 1394417686), readyBuild(config, 1394514268)];
  const pinned = configFromYaml(
    seedYaml({ extra: "pins:\n  devstack-precise:\n    hpcloud-az2: 1394400000\n" }),
  );
  const now = 1394516968;
  const result = plan(pinned, inventoryOf(now, { "hpcloud-az2": { images } }), TEST_OWNER, now);
  assert.deepEqual(result.errors, [
    {
      provider: "hpcloud-az2",
      image: "devstack-precise",
      path: "pins.devstack-precise.hpcloud-az2",
      message: "version 1394400000 is not a ready build in hpcloud-az2 (ready: 1394417686, 1394514268)",
    },
  ]);
  assert.equal(imagePlan(result).currentVersion, undefined, "no silent fallback to the newest");
  assert.deepEqual(targets(result, "create-node"), [], "no current build: the pool cannot grow");
});

test("a pin to a build that is still building says so", () => {
  const building = readyBuild(config, NOW - 60, { state: "building", cloudImageId: undefined });
  const pinned = configFromYaml(
    seedYaml({ extra: `pins:\n  devstack-precise:\n    hpcloud-az2: ${NOW - 60}\n` }),
  );
  const result = plan(pinned, inventoryOf(NOW, { "hpcloud-az2": { images: [building] } }), TEST_OWNER, NOW);
  assert.equal(
    result.errors[0]?.message,
    `version ${NOW - 60} is not a ready build in hpcloud-az2 (it is building) (ready: none)`,
  );
});

test("builds of an image no longer built in a provider are deleted", () => {
  const stray = readyBuild(config, NOW - HOUR, { image: "old-image" });
  const result = plan(config, inventoryOf(NOW, { "hpcloud-az2": { images: [stray] } }), TEST_OWNER, NOW);
  assert.equal(
    reasonFor(result, "delete-image", `old-image ${NOW - HOUR}`),
    "image old-image is not built in hpcloud-az2 any more",
  );
});
