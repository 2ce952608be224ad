// Issue 12, item 1, end to end on the local OpenStack with the real engine: jobs claim nodes
// while a `pulumi up` rolls the pool over to another build (a pin). A round drops the old
// ready nodes, spends its creates, and deletes last; without the fence, a claim in that window
// locked a doomed node and the round deleted it under the job. Now every node a job wins
// must still exist, in-use, after the round; the old ones the round took are gone.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { definitionHash } from "../../src/config/definition.js";
import { loadConfig } from "../../src/config/load.js";
import { META } from "../../src/core/metadata.js";
import { claimInProvider } from "../../src/nodes/claim.js";
import { engineAvailable, type PulumiResult } from "../support/engine.js";
import { E2eRun } from "../support/e2e-reconcile.js";
import { localCloudProblem, must } from "../support/openstack-cloud.js";

const problem = !engineAvailable() ? "engine not built: run `npm run engine`" : await localCloudProblem();
const skip = problem && !process.env["CI"] ? problem : false;

const hex = randomBytes(3).toString("hex");
const PROVIDER = `race${hex}-az2`;
const NOW = Math.floor(Date.now() / 1000);
/** Two ready builds, made an hour and half an hour ago: the newest is current, no rebuild due. */
const OLD = NOW - 3600;
const NEW = NOW - 1800;
const POOL = 3;

let run: E2eRun | undefined;
let stackCreated = false;

function show(r: PulumiResult): string {
  const tail = (text: string) => text.split("\n").slice(-40).join("\n");
  return `exit ${r.code} after ${r.ms} ms\n--- stdout\n${tail(r.stdout)}\n--- stderr\n${tail(r.stderr)}`;
}

const r = () => run!;
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));
const nodes = async () => (await r().servers(PROVIDER)).filter((s) => s.metadata[META.kind] === "node");

async function seedBuilds(): Promise<void> {
  const loaded = loadConfig(r().imagesFile);
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.error));
  const config = loaded.value;
  const image = config.images[0]!;
  const provider = config.providers[0]!;
  const hash = definitionHash(image, provider, config.setupDigests[image.setup]!);
  const glance = r().clients[PROVIDER]!.glance;
  for (const version of [OLD, NEW]) {
    const created = must(
      await glance.createImage({
        name: `${r().prefix}-${version}`,
        properties: {
          [META.kind]: "image",
          [META.provider]: PROVIDER,
          [META.image]: r().image,
          [META.version]: String(version),
          [META.createdAt]: String(version + 60),
          [META.hostname]: `${r().image}-${version}.template.openstack.org`,
          [META.definitionHash]: hash,
        },
      }),
    );
    must(await glance.uploadImageData(created.id, new TextEncoder().encode(`${version}\n`)));
  }
}

async function up(): Promise<PulumiResult> {
  return r().pulumi(["up", "--yes", "--skip-preview"]);
}

describe("a claim racing a round that rolls the pool over", { skip, timeout: 10 * 60_000 }, () => {
  before(async () => {
    if (problem) assert.fail(`CI=true but ${problem}`);
    run = new E2eRun(hex, [{ name: PROVIDER, cloud: "hpcloud-az2", minReady: POOL, maxServers: 8 }]);
    await seedBuilds();
    const init = await r().pulumi(["stack", "init", r().stack]);
    assert.equal(init.code, 0, show(init));
    stackCreated = true;
    const set = await r().pulumi(["config", "set", "nodepool:imagesFile", r().imagesFile]);
    assert.equal(set.code, 0, show(set));
  });

  after(async () => {
    if (!run) return;
    if (stackCreated) {
      const destroy = await run.pulumi(["destroy", "--yes", "--skip-preview"]);
      if (destroy.code !== 0) console.log(`cleanup: pulumi destroy failed\n${show(destroy)}`);
      await run.pulumi(["stack", "rm", "--yes", "--force"]);
    }
    const leftovers = await run.deleteLeftovers().catch((error: unknown) => [`cleanup failed: ${error}`]);
    if (leftovers.length > 0) console.log(`cleanup deleted leftovers: ${leftovers.join(", ")}`);
    rmSync(run.dir, { recursive: true, force: true });
  });

  test("every node a job wins during the round survives it, in-use", async () => {
    const first = await up();
    assert.equal(first.code, 0, show(first));
    const pool = await nodes();
    assert.equal(pool.length, POOL);
    assert.ok(pool.every((s) => s.metadata[META.version] === String(NEW)));
    const oldIds = new Set(pool.map((s) => s.id));

    // Roll over: pin the older build, so the round drops every ready node and boots new ones.
    r().settings.pins = { [r().image]: { [PROVIDER]: OLD } };
    r().writeImages();
    const round = up();
    let done = false;
    void round.then(() => (done = true));

    // Jobs start claiming once the round has decided and is creating: the window in which a
    // claim used to take a node the round then deleted.
    while (!done && !(await nodes()).some((s) => !oldIds.has(s.id))) await pause(200);
    const claimed: { id: string; claimer: string; version: string }[] = [];
    let attempts = 0;
    while (!done) {
      const claimer = `race-job-${++attempts}`;
      const got = await claimInProvider(r().clients[PROVIDER]!, {
        label: r().label,
        claimer,
        now: Math.floor(Date.now() / 1000),
      });
      if (got.ok) claimed.push({ id: got.value.serverId, claimer, version: got.value.imageVersion });
      await pause(150);
    }
    const result = await round;
    assert.equal(result.code, 0, show(result));
    console.log(
      `claim race: ${attempts} claims during the round, ${claimed.length} won ` +
        `(${claimed.filter((c) => oldIds.has(c.id)).length} of them old nodes)`,
    );
    assert.ok(attempts >= 3, `claims ran during the round (${attempts})`);

    const after = await r().servers(PROVIDER);
    for (const c of claimed) {
      const server = after.find((s) => s.id === c.id);
      assert.ok(server, `node ${c.id} won by ${c.claimer} (build ${c.version}) was deleted under its job`);
      assert.equal(server.metadata[META.state], "in-use");
      assert.equal(server.metadata[META.claimedBy], c.claimer);
    }
    // The old nodes no job won are gone; the pool is on the pinned build.
    const claimedIds = new Set(claimed.map((c) => c.id));
    const oldLeft = after.filter((s) => oldIds.has(s.id) && !claimedIds.has(s.id));
    assert.deepEqual(
      oldLeft.map((s) => `${s.name} ${s.metadata[META.state]}`),
      [],
    );
  });
});
