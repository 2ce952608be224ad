// The operator page's Bad Images walk-through end to end on the local OpenStack: the seed's two
// devstack-precise builds in hpcloud-az2, image-list, revert (dry run, then for real), the
// commit, and the plan made from the clouds afterwards.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { imageBuildId } from "../../src/core/ids.js";
import { EXIT } from "../../src/cli/exit-codes.js";
import { loadLiveInventory } from "../../src/cli/live-inventory.js";
import { main } from "../../src/cli/main.js";
import type { Plan } from "../../src/plan/types.js";
import { captureIo } from "../support/capture-io.js";
import { cleanUp, createBuildImage, localCloudProblem, open, RUN } from "../support/openstack-cloud.js";

// A name of this run's own, so builds of other runs or of the demo never meet this test.
const IMAGE = `devstack-${RUN}`;
const PREVIOUS = 1394417686;
const CURRENT = 1394514268;
const NOW = 1394516968;
const base = mkdtempSync(join(tmpdir(), `${RUN}-rollback-`));
const repo = join(base, "repo");
const file = join(repo, "images.yaml");
const cloudIds: Record<number, string> = {};

const IMAGES_YAML = `# The config repo of the rollback integration test.
providers:
  - name: hpcloud-az2
    cloud: hpcloud-az2              # the local cloud's project
    region: RegionOne
    max-servers: 4
    flavor: m1.nodepool
    template-domain: template.openstack.org

images:
  - name: ${IMAGE}
    base-image: ubuntu-precise
    setup: setup.sh
    keep: 2                         # current and previous
    providers: [hpcloud-az2]

labels:
  - name: ${IMAGE}
    image: ${IMAGE}
    min-ready: { hpcloud-az2: 1 }

pins: {}
rejected: {}
`;

const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });

async function nodepool(...args: string[]) {
  const io = captureIo();
  const code = await main([...args, "--file", file], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

before(async () => {
  const problem = await localCloudProblem();
  if (problem) assert.fail(problem);
  mkdirSync(repo);
  git("init", "--quiet", "--initial-branch=main");
  git("config", "user.name", "Rollback Integration");
  git("config", "user.email", "rollback@example.org");
  writeFileSync(file, IMAGES_YAML);
  writeFileSync(join(repo, "setup.sh"), "#!/bin/sh\ntrue\n");
  git("add", "images.yaml", "setup.sh");
  git("commit", "--quiet", "-m", "images.yaml");

  const clients = open("hpcloud-az2");
  const live = await loadLiveInventory({ file, provider: "hpcloud-az2" });
  assert.ok(live.ok && live.value.readable.length === 1, "hpcloud-az2 is readable");
  const leftovers = live.value.readable[0]!.images.filter((b) => b.image === IMAGE);
  assert.deepEqual(
    leftovers,
    [],
    `no ${IMAGE} builds in hpcloud-az2 before the test (leftovers of another run?)`,
  );
  for (const [version, templateServer] of [
    [PREVIOUS, "4909797"],
    [CURRENT, "4930213"],
  ] as const) {
    const created = NOW - (version === PREVIOUS ? 96588 : 2700);
    const image = await createBuildImage(clients, {
      provider: "hpcloud-az2",
      image: IMAGE,
      version,
      createdAt: created,
      templateServer,
    });
    cloudIds[version] = image.id;
  }
});

after(async () => {
  await cleanUp(["hpcloud-az2"]);
  rmSync(base, { recursive: true, force: true });
});

async function planFromClouds(): Promise<Plan> {
  const live = await loadLiveInventory({ file, now: NOW });
  assert.ok(live.ok);
  const inventoryFile = join(base, "inventory.json");
  writeFileSync(inventoryFile, JSON.stringify(live.value.inventory));
  const result = await nodepool("plan", "--inventory", inventoryFile, "--now", String(NOW), "--json");
  return JSON.parse(result.stdout) as Plan;
}

describe("Bad Images on the local cloud", () => {
  it("image-list shows both builds with their IDs", async () => {
    const result = await nodepool("image-list", "--image", IMAGE);
    assert.equal(result.code, EXIT.ok, result.stderr);
    for (const version of [PREVIOUS, CURRENT]) {
      const id = imageBuildId({ provider: "hpcloud-az2", image: IMAGE, version });
      assert.match(
        result.stdout,
        new RegExp(`\\| ${id} \\| hpcloud-az2 .*\\| ${version} \\| ${cloudIds[version]} \\|`),
      );
    }
  });

  it("before the revert the plan boots from the newest build", async () => {
    const image = (await planFromClouds()).providers[0]!.images[0]!;
    assert.equal(image.currentVersion, CURRENT);
    assert.equal(image.previousVersion, PREVIOUS);
  });

  it("revert --dry-run shows the change read from the cloud and changes nothing", async () => {
    const head = git("rev-parse", "HEAD");
    const result = await nodepool("revert", IMAGE, "--dry-run");
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.match(result.stdout, new RegExp(`\\+ {4}hpcloud-az2: ${PREVIOUS}\\n`));
    assert.match(
      result.stdout,
      new RegExp(`Nodepool-Rejected: ${IMAGE} hpcloud-az2 ${CURRENT} ${cloudIds[CURRENT]}`),
    );
    assert.equal(git("rev-parse", "HEAD"), head);
    assert.equal(git("status", "--porcelain"), "");
  });

  it("revert commits the pin and the rejection with the Glance ids, and the plan follows it", async () => {
    const result = await nodepool("revert", IMAGE, "-m", "devstack fails to start on the new build");
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.equal(git("log", "-1", "--format=%s").trim(), `Revert ${IMAGE} on hpcloud-az2 to ${PREVIOUS}`);
    const trailers = (key: string) => git("log", "-1", `--format=%(trailers:key=${key},valueonly)`).trim();
    assert.equal(trailers("Nodepool-Rejected"), `${IMAGE} hpcloud-az2 ${CURRENT} ${cloudIds[CURRENT]}`);
    assert.equal(trailers("Nodepool-Pinned"), `${IMAGE} hpcloud-az2 ${PREVIOUS} ${cloudIds[PREVIOUS]}`);
    assert.deepEqual(
      git("show", "--format=", "--unified=0", "HEAD")
        .split("\n")
        .filter((line) => /^[-+][^-+]/.test(line)),
      [
        "-pins: {}",
        "-rejected: {}",
        "+pins:",
        `+  ${IMAGE}:`,
        `+    hpcloud-az2: ${PREVIOUS}`,
        "+rejected:",
        `+  ${IMAGE}:`,
        `+    hpcloud-az2: [${CURRENT}]`,
      ],
    );

    const plan = await planFromClouds();
    const image = plan.providers[0]!.images[0]!;
    assert.equal(image.currentVersion, PREVIOUS);
    assert.ok(
      plan.providers[0]!.actions.some((a) => a.kind === "delete-image" && a.target === `${IMAGE} ${CURRENT}`),
      JSON.stringify(plan.providers[0]!.actions),
    );
  });

  it("delete-image ID (from image-list) rejects only; the plan makes the previous build current, unpinned", async () => {
    git("reset", "--quiet", "--hard", "HEAD~1");
    const id = imageBuildId({ provider: "hpcloud-az2", image: IMAGE, version: CURRENT });
    const result = await nodepool("delete-image", id);
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.equal(
      git("log", "-1", "--format=%s").trim(),
      `Reject ${IMAGE} ${CURRENT} on hpcloud-az2 (delete-image ${id})`,
    );
    assert.match(
      git("log", "-1", "--format=%b"),
      new RegExp(`rejected ${CURRENT}, image ${cloudIds[CURRENT]}\n`),
    );
    const image = (await planFromClouds()).providers[0]!.images[0]!;
    assert.equal(image.currentVersion, PREVIOUS);
    assert.equal(image.pinnedVersion, undefined);
  });
});
