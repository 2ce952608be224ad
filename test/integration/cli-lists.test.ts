// image-list and node-list against the local OpenStack: the seed's scenario (two
// devstack-precise builds in hpcloud-az2), a provider whose Keystone is down and one with wrong
// credentials (listed as warnings, exit 4, the others still printed).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { imageBuildId } from "../../src/core/ids.js";
import { imageRows, renderImageTable } from "../../src/cli/commands/image-list.js";
import { EXIT } from "../../src/cli/exit-codes.js";
import { loadLiveInventory } from "../../src/cli/live-inventory.js";
import { main } from "../../src/cli/main.js";
import { META } from "../../src/core/metadata.js";
import { captureIo } from "../support/capture-io.js";
import {
  cleanUp,
  closedPort,
  cloudsFileWith,
  createBuildImage,
  localCloudProblem,
  LOCAL_CLOUDS_FILE,
  must,
  open,
  removeCloudsFile,
  RUN,
  waitForServer,
  withAuth,
} from "../support/openstack-cloud.js";

const dir = mkdtempSync(join(tmpdir(), `${RUN}-cli-`));
const provider = (name: string, cloud: string) => `
  - name: ${name}
    cloud: ${cloud}
    region: RegionOne
    max-servers: 4
    flavor: m1.nodepool
    template-domain: template.openstack.org`;
const imagesYaml = (providers: string[]) => `providers:${providers.join("")}
images:
  - name: devstack-precise
    base-image: ubuntu-precise
    setup: setup.sh
    providers: [hpcloud-az2]
labels:
  - name: devstack-precise
    image: devstack-precise
    min-ready: { hpcloud-az2: 1 }
`;
const healthyFile = join(dir, "images.yaml");
const brokenFile = join(dir, "broken.yaml");
let cloudsFile = "";
const WRONG_PASSWORD = `${RUN}-not-it`;

// The seed's table: versions 1394417686 and 1394514268, 26.83 h and 0.75 h old when read.
const SEED_NOW = 1394516968;
const SEED_BUILDS = [
  { version: 1394417686, createdAt: SEED_NOW - Math.round(26.83 * 3600), templateServer: "4909797" },
  { version: 1394514268, createdAt: SEED_NOW - Math.round(0.75 * 3600), templateServer: "4930213" },
];
const seedImageIds: string[] = [];

before(async () => {
  const problem = await localCloudProblem();
  if (problem) assert.fail(problem);
  writeFileSync(join(dir, "setup.sh"), "#!/bin/sh\ntrue\n");
  writeFileSync(
    healthyFile,
    imagesYaml([provider("hpcloud-az2", "hpcloud-az2"), provider("rax-iad", "rax-iad")]),
  );
  writeFileSync(
    brokenFile,
    imagesYaml([
      provider("hpcloud-az2", "hpcloud-az2"),
      provider("ovh-gra1", "dead-keystone"),
      provider("rax-iad", "wrong-password"),
    ]),
  );
  const port = await closedPort();
  cloudsFile = cloudsFileWith({
    "dead-keystone": withAuth("ovh-gra1", { auth_url: `http://127.0.0.1:${port}/v3` }),
    "wrong-password": withAuth("rax-iad", { password: WRONG_PASSWORD }),
  });
  const clients = open("hpcloud-az2");
  for (const build of SEED_BUILDS) {
    const image = await createBuildImage(clients, {
      provider: "hpcloud-az2",
      image: "devstack-precise",
      ...build,
    });
    seedImageIds.push(image.id);
  }
});

after(async () => {
  await cleanUp(["hpcloud-az2", "rax-iad"]);
  rmSync(dir, { recursive: true, force: true });
  if (cloudsFile) removeCloudsFile(cloudsFile);
});

async function run(args: string[], cloudsYaml = LOCAL_CLOUDS_FILE) {
  const previous = process.env.OS_CLIENT_CONFIG_FILE;
  process.env.OS_CLIENT_CONFIG_FILE = cloudsYaml;
  try {
    const io = captureIo();
    const code = await main(args, io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  } finally {
    process.env.OS_CLIENT_CONFIG_FILE = previous;
  }
}

describe("image-list on the local cloud", () => {
  it("shows the seed's two devstack-precise builds as Nodepool did", async () => {
    const live = must2(
      await loadLiveInventory({ file: healthyFile, provider: "hpcloud-az2", now: SEED_NOW }),
    );
    const ours = imageRows(live).filter((row) => row.cloudImageId && seedImageIds.includes(row.cloudImageId));
    const [older, newer] = seedImageIds;
    const id = (version: number) =>
      imageBuildId({ provider: "hpcloud-az2", image: "devstack-precise", version });
    assert.equal(
      renderImageTable(ours),
      [
        "+----------+-------------+------------------+----------------------------------------------------+------------+--------------------------------------+-----------+-------+-------------+",
        "| ID       | Provider    | Image            | Hostname                                           | Version    | Image ID                             | Server ID | State | Age (hours) |",
        "+----------+-------------+------------------+----------------------------------------------------+------------+--------------------------------------+-----------+-------+-------------+",
        `| ${id(1394417686)} | hpcloud-az2 | devstack-precise | devstack-precise-1394417686.template.openstack.org | 1394417686 | ${older} | 4909797   | ready |       26.83 |`,
        `| ${id(1394514268)} | hpcloud-az2 | devstack-precise | devstack-precise-1394514268.template.openstack.org | 1394514268 | ${newer} | 4930213   | ready |        0.75 |`,
        "+----------+-------------+------------------+----------------------------------------------------+------------+--------------------------------------+-----------+-------+-------------+",
      ].join("\n"),
    );
  });

  it("prints the table and exits 0 when every provider was read; --json has the same rows", async () => {
    const table = await run(["image-list", "--file", healthyFile, "--image", "devstack-precise"]);
    assert.equal(table.code, EXIT.ok, table.stderr);
    assert.equal(table.stderr, "");
    for (const imageId of seedImageIds)
      assert.match(
        table.stdout,
        new RegExp(`\\| ${imageId} \\| 4909797 +\\| ready|\\| ${imageId} \\| 4930213 +\\| ready`),
      );
    const json = await run(["image-list", "--file", healthyFile, "--provider", "hpcloud-az2", "--json"]);
    assert.equal(json.code, EXIT.ok);
    const parsed = JSON.parse(json.stdout) as {
      images: { cloudImageId: string; version: number; state: string }[];
      unreadable: unknown[];
    };
    const mine = parsed.images.filter((row) => seedImageIds.includes(row.cloudImageId));
    assert.deepEqual(
      mine.map((row) => [row.version, row.state]),
      [
        [1394417686, "ready"],
        [1394514268, "ready"],
      ],
    );
    assert.deepEqual(parsed.unreadable, []);
  });

  it("still lists the readable providers when one is down and one refuses the credentials: exit 4", async () => {
    const started = Date.now();
    const result = await run(["image-list", "--file", brokenFile], cloudsFile);
    assert.equal(result.code, EXIT.cloud);
    for (const imageId of seedImageIds) assert.ok(result.stdout.includes(imageId), result.stdout);
    const warnings = result.stderr.trim().split("\n");
    assert.equal(warnings.length, 2, result.stderr);
    assert.match(
      warnings[0]!,
      /^warning: provider ovh-gra1 could not be read, its items are missing above: ovh-gra1: POST http:\/\/127\.0\.0\.1:\d+\/v3\/auth\/tokens: cannot connect \(ECONNREFUSED\)/,
    );
    assert.match(
      warnings[1]!,
      /^warning: provider rax-iad could not be read, its items are missing above: rax-iad: POST .*: 401 Unauthorized: Keystone refused the credentials/,
    );
    assert.ok(!result.stderr.includes(WRONG_PASSWORD));
    assert.ok(Date.now() - started < 20_000);
  });

  it("refuses an unknown --provider with exit 2", async () => {
    const result = await run(["image-list", "--file", healthyFile, "--provider", "nope"]);
    assert.equal(result.code, EXIT.usage);
    assert.match(result.stderr, /no provider "nope" in .* \(it has: hpcloud-az2, rax-iad\)/);
  });
});

describe("node-list on the local cloud", () => {
  it("lists nodes with their state from Nova status and metadata, filtered by label and state", async () => {
    const clients = open("hpcloud-az2");
    const flavor = must(await clients.nova.findFlavorByName("m1.nodepool"));
    const base = must(await clients.glance.findImagesByName("ubuntu-precise"))[0];
    assert.ok(flavor && base);
    const label = `${RUN}-label`;
    const node = (state?: string) => ({
      [META.kind]: "node",
      [META.provider]: "hpcloud-az2",
      [META.label]: label,
      [META.version]: "1394514268",
      ...(state ? { [META.state]: state } : {}),
    });
    const ready = must(
      await clients.nova.createServer({
        name: `${RUN}-n1`,
        imageRef: base.id,
        flavorRef: flavor.id,
        networks: "none",
        metadata: node(),
      }),
    );
    const held = must(
      await clients.nova.createServer({
        name: `${RUN}-n2`,
        imageRef: base.id,
        flavorRef: flavor.id,
        networks: "none",
        metadata: node("hold"),
      }),
    );
    assert.deepEqual(await Promise.all([ready, held].map((id) => waitForServer(clients, id))), [
      "ACTIVE",
      "ACTIVE",
    ]);

    const all = await run(["node-list", "--file", healthyFile, "--label", label, "--json"]);
    assert.equal(all.code, EXIT.ok, all.stderr);
    const rows = (
      JSON.parse(all.stdout) as { nodes: { serverId: string; state: string; imageVersion: number }[] }
    ).nodes;
    assert.deepEqual(
      rows.map((row) => [row.serverId, row.state, row.imageVersion]),
      [
        [ready, "ready", 1394514268],
        [held, "hold", 1394514268],
      ],
    );
    const onlyHeld = await run(["node-list", "--file", healthyFile, "--label", label, "--state", "hold"]);
    assert.equal(onlyHeld.code, EXIT.ok);
    assert.ok(onlyHeld.stdout.includes(held) && !onlyHeld.stdout.includes(ready), onlyHeld.stdout);
    assert.match(
      onlyHeld.stdout.split("\n")[1]!,
      /^\| ID +\| Provider +\| Label +\| Image version \| Server ID +\| IP +\| State \| Age \(hours\) \|$/,
    );
  });
});

function must2<T, E>(result: { ok: true; value: T } | { ok: false; error: E }): T {
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}
