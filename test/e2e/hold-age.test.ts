// Issue 15, item 4, end to end on the local OpenStack with the real engine: a node held for
// debugging and forgotten is released once its label's max-hold-age has passed, and replaced;
// a younger hold stays. The hold's time is the node's nodepool_state_at, written by
// `nodepool node hold`; the test moves it back instead of waiting a day.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe } from "node:test";
import { META } from "../../src/core/metadata.js";
import { DependentSteps } from "../support/dependent-steps.js";
import { E2eRun, showRun, type CliResult } from "../support/e2e-reconcile.js";
import { seedReadyBuild } from "../support/e2e-seed.js";
import { engineAvailable, type PulumiResult } from "../support/engine.js";
import { localCloudProblem, must } from "../support/openstack-cloud.js";

const problem = !engineAvailable() ? "engine not built: run `npm run engine`" : await localCloudProblem();
const skip = problem && !process.env["CI"] ? problem : false;

const hex = randomBytes(3).toString("hex");
const PROVIDER = `hold${hex}-az2`;
const VERSION = Math.floor(Date.now() / 1000) - 1800;
const HOUR = 3600;

let run: E2eRun | undefined;
const steps = new DependentSteps();
const r = () => run!;

const show = (result: PulumiResult | CliResult) => showRun(result);

async function up(): Promise<PulumiResult> {
  const result = await r().pulumi(["up", "--yes", "--skip-preview"]);
  assert.equal(result.code, 0, `pulumi up: ${show(result)}`);
  return result;
}

const nodes = async () => (await r().servers(PROVIDER)).filter((s) => s.metadata[META.kind] === "node");

async function hold(reason: string, hoursAgo: number): Promise<string> {
  const ready = (await nodes()).find((s) => s.metadata[META.state] === "ready");
  assert.ok(ready, "a ready node to hold");
  const held = await r().nodepool(["node", "hold", ready.name, "--reason", reason]);
  assert.equal(held.code, 0, show(held));
  // As if it had been held hoursAgo: the hold's time is what max-hold-age measures.
  const at = String(Math.floor(Date.now() / 1000) - hoursAgo * HOUR);
  must(await r().clients[PROVIDER]!.nova.setServerMetadata(ready.id, { [META.stateChangedAt]: at }));
  return ready.id;
}

describe("max-hold-age releases a forgotten hold", { skip, timeout: 8 * 60_000 }, () => {
  before(async () => {
    if (problem) assert.fail(`CI=true but ${problem}`);
    run = new E2eRun(hex, [{ name: PROVIDER, cloud: "hpcloud-az2", minReady: 2, maxServers: 6 }]);
    r().settings.labelExtra = { "max-hold-age": "2d" };
    r().writeImages();
    await seedReadyBuild(r(), PROVIDER, VERSION);
    await r().initStack();
    await r().configureStack();
  });

  after(async () => {
    if (run) await run.teardown();
  });

  const step = steps.step.bind(steps);
  let forgotten = "";
  let recent = "";

  step("the pool fills; two nodes are held, one of them 49 h ago", async () => {
    await up();
    assert.equal((await nodes()).length, 2);
    forgotten = await hold("flaky test 4211", 49);
    recent = await hold("looking now", 1);
    const planned = await r().nodepool(["plan", "--owner", r().owner]);
    assert.equal(planned.code, 0, show(planned));
    assert.match(
      planned.stdout,
      /delete-node .*: held for 49\.0 h \(flaky test 4211\), max-hold-age 48\.0 h/,
    );
  });

  step("the next round releases the old hold and refills the pool; the recent hold stays", async () => {
    await up();
    const after = await nodes();
    assert.ok(!after.some((s) => s.id === forgotten), "the node held 49 h ago is gone");
    const kept = after.find((s) => s.id === recent);
    assert.equal(kept?.metadata[META.state], "hold", "the node held 1 h ago stays held");
    assert.equal(
      after.filter((s) => s.metadata[META.state] === "ready").length,
      2,
      after.map((s) => `${s.name} ${s.metadata[META.state]}`).join(", "),
    );
  });
});
