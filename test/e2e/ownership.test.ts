// Issue 12, items 3 and 6, end to end on the local OpenStack with the real engine, on one
// stack with a live pool (a ready build is seeded, so the first `up` boots the pool):
// - item 6: a pool server deleted by hand through Nova leaves its name in Pulumi's state; the
//   next `up` must fill the pool again (a reused name created nothing: every input is frozen).
// - item 3: `pulumi stack rename` to another project and stack, and Pulumi.yaml's `name:`
//   changed to match: the next `up` must delete nothing (the ownership tag used to be built
//   from those names, so no server was ours any more and one round deleted them all); and a
//   stack without `nodepool:owner` must refuse, naming the command that fixes it.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test, type TestContext } from "node:test";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { META } from "../../src/core/metadata.js";
import type { NovaServer } from "../../src/openstack/nova.js";
import { compareNatural } from "../../src/core/sort.js";
import { engineAvailable, type PulumiResult } from "../support/engine.js";
import { E2eRun, Timings } from "../support/e2e-reconcile.js";
import { seedReadyBuild } from "../support/e2e-seed.js";
import { localCloudProblem, must } from "../support/openstack-cloud.js";

const problem = !engineAvailable() ? "engine not built: run `npm run engine`" : await localCloudProblem();
const skip = problem && !process.env["CI"] ? problem : false;

const hex = randomBytes(3).toString("hex");
const PROVIDER = `own${hex}-az2`;
const POOL = 3;
/** A ready build of half an hour ago: current, no rebuild due. */
const BUILD = Math.floor(Date.now() / 1000) - 1800;
const RENAMED_PROJECT = `nodepool-renamed-${hex}`;
const RENAMED_STACK = `e2e${hex}-renamed`;

let run: E2eRun | undefined;
let stackCreated = false;
let poolUp = false;
const timings = new Timings();

function show(r: PulumiResult): string {
  const tail = (text: string) => text.split("\n").slice(-50).join("\n");
  return `exit ${r.code} after ${r.ms} ms\n--- stdout\n${tail(r.stdout)}\n--- stderr\n${tail(r.stderr)}`;
}

const r = () => run!;
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));
const nodes = async () =>
  (await r().servers(PROVIDER))
    .filter((s) => s.metadata[META.kind] === "node")
    .sort((a, b) => compareNatural(a.name, b.name));
const describeNodes = (servers: NovaServer[]) =>
  servers.map((s) => `${s.name} ${s.status} ${s.metadata[META.state]}`).join(", ");

async function pulumi(step: string, args: string[]): Promise<PulumiResult> {
  return timings.time(step, () => r().pulumi(args));
}

/** Steps after the first need its live pool; they do not depend on each other. */
function withPool(name: string, body: (t: TestContext) => Promise<void>) {
  test(name, async (t) => {
    if (!poolUp) return t.skip("the pool did not come up");
    await body(t);
  });
}

describe("ownership and node names survive renames and hand deletes", { skip, timeout: 10 * 60_000 }, () => {
  before(async () => {
    if (problem) assert.fail(`CI=true but ${problem}`);
    run = new E2eRun(hex, [{ name: PROVIDER, cloud: "hpcloud-az2", minReady: POOL, maxServers: 6 }]);
    await seedReadyBuild(r(), PROVIDER, BUILD);
    const init = await r().pulumi(["stack", "init", r().stack]);
    assert.equal(init.code, 0, show(init));
    stackCreated = true;
    await r().configureStack();
  });

  after(async () => {
    if (!run) return;
    if (stackCreated) {
      // Whichever stack is selected now (renamed or not) holds what the run made.
      const destroy = await pulumi("destroy", ["destroy", "--yes", "--skip-preview"]);
      if (destroy.code !== 0) console.log(`cleanup: pulumi destroy failed\n${show(destroy)}`);
      await run.pulumi(["stack", "rm", "--yes", "--force"]);
    }
    const leftovers = await run.deleteLeftovers().catch((error: unknown) => [`cleanup failed: ${error}`]);
    if (leftovers.length > 0) console.log(`cleanup deleted leftovers: ${leftovers.join(", ")}`);
    rmSync(run.dir, { recursive: true, force: true });
    if (timings.rows.length > 0) console.log(`\ne2e ownership timings (run ${hex}):\n${timings.table()}\n`);
  });

  test("up: a pool of live nodes, each tagged with the stack's owner", async () => {
    const result = await pulumi("up: pool of 3 from the seeded build", ["up", "--yes", "--skip-preview"]);
    assert.equal(result.code, 0, show(result));
    const pool = await nodes();
    assert.equal(pool.length, POOL, describeNodes(pool));
    for (const s of pool) assert.equal(s.metadata[META.stack], r().owner, s.name);
    poolUp = true;
  });

  withPool(
    "issue 12 item 6: a pool server deleted by hand through Nova is replaced by the next up",
    async () => {
      const before = await nodes();
      // The newest name: the one a planner counting on from the inventory's highest name reuses.
      const gone = before.at(-1)!;
      must(await r().clients[PROVIDER]!.nova.deleteServer(gone.id));
      for (let i = 0; i < 60 && (await nodes()).some((s) => s.id === gone.id); i++) await pause(1000);
      assert.ok(!(await nodes()).some((s) => s.id === gone.id), `${gone.name} was not deleted by Nova`);

      const result = await pulumi("up after a node was deleted by hand", ["up", "--yes", "--skip-preview"]);
      assert.equal(result.code, 0, show(result));
      const pool = await nodes();
      assert.equal(pool.length, POOL, `the pool is full again: ${describeNodes(pool)}\n${show(result)}`);
      assert.ok(!pool.some((s) => s.name === gone.name), `the name ${gone.name} was not used again`);
      // Its URN left the state too (deleted as missing), so nothing is left to do.
      const preview = await pulumi("preview --expect-no-changes", ["preview", "--expect-no-changes"]);
      assert.equal(preview.code, 0, show(preview));
    },
  );

  withPool("issue 12 item 3: renaming the stack and the project deletes nothing", async () => {
    const serversBefore = (await r().servers(PROVIDER)).map((s) => s.id).sort();
    const imagesBefore = (await r().images(PROVIDER)).map((i) => i.id).sort();
    assert.ok((await nodes()).length > 0, "live nodes to lose");

    const rename = await pulumi("stack rename (project and stack)", [
      "stack",
      "rename",
      `organization/${RENAMED_PROJECT}/${RENAMED_STACK}`,
    ]);
    assert.equal(rename.code, 0, show(rename));
    const projectFile = join(r().dir, "Pulumi.yaml");
    const project = parseYaml(readFileSync(projectFile, "utf8")) as Record<string, unknown>;
    writeFileSync(projectFile, stringifyYaml({ ...project, name: RENAMED_PROJECT }));
    // The selected stack is remembered per project, so the renamed project selects it anew.
    const select = await r().pulumi(["stack", "select", RENAMED_STACK]);
    assert.equal(select.code, 0, show(select));
    // The rename carried the stack's config file, and with it the owner.
    const configFile = join(r().dir, `Pulumi.${RENAMED_STACK}.yaml`);
    assert.ok(existsSync(configFile), "pulumi stack rename moves Pulumi.<stack>.yaml");
    const owner = await r().pulumi(["config", "get", "nodepool:owner"]);
    assert.equal(owner.stdout.trim(), r().owner, show(owner));

    const result = await pulumi("up after the rename", ["up", "--yes", "--skip-preview"]);
    assert.equal(result.code, 0, show(result));
    assert.doesNotMatch(result.stdout, /delet/, show(result));
    assert.deepEqual((await r().servers(PROVIDER)).map((s) => s.id).sort(), serversBefore);
    assert.deepEqual((await r().images(PROVIDER)).map((i) => i.id).sort(), imagesBefore);
    const preview = await pulumi("preview --expect-no-changes (renamed)", ["preview", "--expect-no-changes"]);
    assert.equal(preview.code, 0, show(preview));
  });

  withPool(
    "issue 12 item 3: a stack without nodepool:owner refuses and names the command that fixes it",
    async () => {
      const serversBefore = (await r().servers(PROVIDER)).map((s) => s.id).sort();
      const removed = await r().pulumi(["config", "rm", "nodepool:owner"]);
      assert.equal(removed.code, 0, show(removed));
      try {
        const result = await pulumi("up without an owner (refused)", ["up", "--yes", "--skip-preview"]);
        assert.notEqual(result.code, 0, show(result));
        assert.match(result.stdout + result.stderr, /nodepool declares nothing this run/);
        assert.match(result.stdout + result.stderr, /pulumi config set nodepool:owner /);
        assert.deepEqual((await r().servers(PROVIDER)).map((s) => s.id).sort(), serversBefore);
      } finally {
        const set = await r().pulumi(["config", "set", "nodepool:owner", r().owner]);
        assert.equal(set.code, 0, show(set));
      }
    },
  );
});
