// Issue 15, item 1, end to end on the local OpenStack with the real engine: the project's
// instance quota is set below what the pool needs. `pulumi up` boots only what fits (no quota
// error reaches it), `nodepool plan` names the quota, and once the quota is raised the next
// round fills the pool. The quota is the project's (hpcloud-az2), set by the admin and put back.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe } from "node:test";
import { META } from "../../src/core/metadata.js";
import type { ProviderClients } from "../../src/openstack/clients.js";
import { requestJson } from "../../src/openstack/responses.js";
import { DependentSteps } from "../support/dependent-steps.js";
import { E2eRun, showRun, type CliResult } from "../support/e2e-reconcile.js";
import { seedReadyBuild } from "../support/e2e-seed.js";
import { engineAvailable, type PulumiResult } from "../support/engine.js";
import { localCloudProblem, must, open } from "../support/openstack-cloud.js";

const problem = !engineAvailable() ? "engine not built: run `npm run engine`" : await localCloudProblem();
const skip = problem && !process.env["CI"] ? problem : false;

const hex = randomBytes(3).toString("hex");
const PROVIDER = `quota${hex}-az2`;
const VERSION = Math.floor(Date.now() / 1000) - 1800;

let run: E2eRun | undefined;
let admin: ProviderClients | undefined;
let projectId = "";
let originalInstances: number | undefined;
const steps = new DependentSteps();
const r = () => run!;

const show = (result: PulumiResult | CliResult) => showRun(result);

async function instancesQuota(): Promise<number> {
  const answer = must(
    await requestJson<{ quota_set: { instances: number } }>(admin!.session, "compute", {
      method: "GET",
      path: `/os-quota-sets/${projectId}`,
    }),
  );
  return answer.quota_set.instances;
}

async function setInstancesQuota(instances: number): Promise<void> {
  must(
    await requestJson(admin!.session, "compute", {
      method: "PUT",
      path: `/os-quota-sets/${projectId}`,
      json: { quota_set: { instances } },
    }),
  );
}

/** Instances the project has now, everyone's. */
async function instancesUsed(): Promise<number> {
  const limits = must(await r().clients[PROVIDER]!.nova.absoluteLimits());
  return limits.totalInstancesUsed ?? 0;
}

const nodes = async () => (await r().servers(PROVIDER)).filter((s) => s.metadata[META.kind] === "node");

describe("the project's quota is planned around", { skip, timeout: 8 * 60_000 }, () => {
  before(async () => {
    if (problem) assert.fail(`CI=true but ${problem}`);
    run = new E2eRun(hex, [{ name: PROVIDER, cloud: "hpcloud-az2", minReady: 3, maxServers: 8 }]);
    await seedReadyBuild(r(), PROVIDER, VERSION);
    await r().initStack();
    await r().configureStack();
    admin = open("admin");
    const token = must(await r().clients[PROVIDER]!.session!.currentToken());
    assert.ok(token.projectId, "the provider's token names its project");
    projectId = token.projectId;
    originalInstances = await instancesQuota();
  });

  after(async () => {
    if (admin && originalInstances !== undefined) await setInstancesQuota(originalInstances);
    if (run) await run.teardown();
  });

  const step = steps.step.bind(steps);
  let used = 0;

  step(
    "with room for 2 instances, the plan names the quota and pulumi up boots 2, without an error",
    async () => {
      used = await instancesUsed();
      await setInstancesQuota(used + 2);
      const planned = await r().nodepool(["plan", "--owner", r().owner]);
      assert.equal(planned.code, 0, show(planned));
      assert.match(planned.stdout, new RegExp(`quota after this round: instances ${used + 2}/${used + 2}`));
      assert.match(
        planned.stdout,
        /pool e2e-.*-pool: .*\+2; short 1 \(short 1: quota \(instances \d+\/\d+\) in /,
      );
      const result = await r().pulumi(["up", "--yes", "--skip-preview"]);
      assert.equal(result.code, 0, `pulumi up: ${show(result)}`);
      assert.doesNotMatch(result.stdout + result.stderr, /[Qq]uota exceeded|403/);
      assert.equal((await nodes()).length, 2);
    },
  );

  step("with the quota raised, the next round fills the pool", async () => {
    await setInstancesQuota(used + 10);
    const result = await r().pulumi(["up", "--yes", "--skip-preview"]);
    assert.equal(result.code, 0, `pulumi up: ${show(result)}`);
    assert.equal((await nodes()).length, 3);
  });
});
