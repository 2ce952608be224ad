// Issue 12, item 1: a node the round drops is fenced (taken from claims) before anything is
// declared, and a node a job claimed since the inventory was read is kept, by planning again.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LoadedConfig } from "../../src/config/definition.js";
import { ok } from "../../src/core/result.js";
import type { CloudConfig } from "../../src/openstack/clouds-config.js";
import type { FenceOutcome } from "../../src/nodes/fence.js";
import { nodesDropped, nodesToDeleteNow, nodesToFence } from "../../src/plan/fence.js";
import type { Inventory, PoolNode } from "../../src/plan/inventory.js";
import { plan } from "../../src/plan/plan.js";
import { decide, MAX_FENCE_ATTEMPTS, type ProgramSources } from "../../src/pulumi/program.js";
import { configFromYaml, seedYaml } from "../support/config-fixtures.js";
import { inventoryOf, node, readyBuild, TEST_OWNER } from "../support/plan-inventory.js";

const STACK = "nodepool/test";
const PREVIOUS = 1394417686;
const CURRENT = 1394514268;
const NOW = CURRENT + 2700;
const CLOUD: CloudConfig = {
  name: "hpcloud-az2",
  auth: { type: "password", authUrl: "http://127.0.0.1:5000/v3", username: "u", password: "pw" },
  interface: "public",
  source: "test",
};

/** The seed's pool of 3 on CURRENT, with images.yaml pinning PREVIOUS: the pool rolls over. */
const rolledOver = (): LoadedConfig =>
  configFromYaml(
    seedYaml({ minReady: 3, extra: `pins:\n  devstack-precise:\n    hpcloud-az2: ${PREVIOUS}\n` }),
  );

function inventory(config: LoadedConfig, nodes: PoolNode[]): Inventory {
  return inventoryOf(NOW, {
    "hpcloud-az2": {
      images: [readyBuild(config, PREVIOUS), readyBuild(config, CURRENT)],
      nodes,
    },
  });
}

const ours = (name: string, overrides: Partial<PoolNode> = {}) =>
  node(name, CURRENT, { stack: STACK, ...overrides });

function sources(
  config: LoadedConfig,
  reads: Inventory[],
  fences: FenceOutcome[] | undefined,
): ProgramSources & { reads: number; fenced: PoolNode[][] } {
  const s = {
    stack: STACK,
    reads: 0,
    fenced: [] as PoolNode[][],
    loadConfig: () => ok(config),
    cloudFor: () => ok(CLOUD),
    readInventory: async () => reads[Math.min(s.reads++, reads.length - 1)]!,
    fenceNodes:
      fences === undefined
        ? undefined
        : async (_config: LoadedConfig, nodes: PoolNode[]) => {
            s.fenced.push(nodes);
            return fences[Math.min(s.fenced.length - 1, fences.length - 1)]!;
          },
  };
  return s;
}

const clean: FenceOutcome = { fenced: [], lost: [], errors: [] };

describe("fencing the nodes a round drops (issue 12, item 1)", () => {
  it("nodesToFence: the ready and booting nodes the plan drops, of this stack only", () => {
    const config = rolledOver();
    const nodes = [
      ours("devstack-precise-hpcloud-az2-1"),
      // Booting for 2 h, past launch-timeout: dropped, and it may turn ACTIVE any moment.
      ours("devstack-precise-hpcloud-az2-2", { state: "building", createdAt: NOW - 7200 }),
      ours("devstack-precise-hpcloud-az2-6", { state: "building", createdAt: NOW - 60 }),
      ours("devstack-precise-hpcloud-az2-3", { state: "in-use" }),
      ours("devstack-precise-hpcloud-az2-4", { state: "used" }),
      node("devstack-precise-hpcloud-az2-5", CURRENT, { stack: "other/stack" }),
    ];
    const read = inventory(config, nodes);
    const fenced = nodesToFence(plan(config, read, TEST_OWNER, NOW), read).map((n) => n.name);
    // -3 is a job's (kept); -4 is used (no claim can take it); -5 is another stack's; -6 boots on.
    assert.deepEqual(fenced, ["devstack-precise-hpcloud-az2-1", "devstack-precise-hpcloud-az2-2"]);
  });

  it("nodesDropped: every node of this stack the plan drops, whatever its state; never a job's", () => {
    const config = rolledOver();
    const nodes = [
      ours("devstack-precise-hpcloud-az2-1"),
      ours("devstack-precise-hpcloud-az2-2", { state: "building", createdAt: NOW - 7200 }),
      ours("devstack-precise-hpcloud-az2-3", { state: "in-use" }),
      ours("devstack-precise-hpcloud-az2-4", { state: "used" }),
      ours("devstack-precise-hpcloud-az2-7", { state: "hold" }),
      node("devstack-precise-hpcloud-az2-5", CURRENT, { stack: "other/stack", state: "used" }),
    ];
    const read = inventory(config, nodes);
    const made = plan(config, read, TEST_OWNER, NOW);
    const dropped = nodesDropped(made, read).map((n) => n.name);
    assert.deepEqual(dropped, [
      "devstack-precise-hpcloud-az2-1",
      "devstack-precise-hpcloud-az2-2",
      "devstack-precise-hpcloud-az2-4",
    ]);
    // The same nodes as the plan's delete-node actions of this stack's nodes.
    const actions = made.providers
      .flatMap((p) => p.actions)
      .filter((a) => a.kind === "delete-node" && a.target !== "devstack-precise-hpcloud-az2-5")
      .map((a) => a.target)
      .sort();
    assert.deepEqual(dropped, actions);
    // Of those, only the used one may go at once: the ready and booting ones need a fence.
    assert.deepEqual(
      nodesToDeleteNow(made, read).map((n) => n.name),
      ["devstack-precise-hpcloud-az2-4"],
    );
  });

  it("nodesToFence: nothing when the pool stays on its build", () => {
    const config = configFromYaml(seedYaml({ minReady: 3 }));
    const read = inventory(config, [ours("devstack-precise-hpcloud-az2-1")]);
    assert.deepEqual(nodesToFence(plan(config, read, TEST_OWNER, NOW), read), []);
  });

  it("a claim that wins a doomed node before the fence keeps it: the round plans again", async () => {
    const config = rolledOver();
    const before = [ours("devstack-precise-hpcloud-az2-1"), ours("devstack-precise-hpcloud-az2-2")];
    const claimed = [
      ours("devstack-precise-hpcloud-az2-1", { state: "deleting" }),
      ours("devstack-precise-hpcloud-az2-2", { state: "in-use", claimedBy: "job-42" }),
    ];
    const s = sources(
      config,
      [inventory(config, before), inventory(config, claimed)],
      [
        {
          fenced: ["server-devstack-precise-hpcloud-az2-1"],
          lost: [{ provider: "hpcloud-az2", name: "devstack-precise-hpcloud-az2-2", why: "claimed" }],
          errors: [],
        },
        clean,
      ],
    );
    const decided = await decide(s);
    assert.equal(s.reads, 2, "planned again after losing a node to a job");
    const kept = decided.plan.providers[0]!.desired.nodes.map((n) => `${n.name} ${n.state}`);
    assert.deepEqual(kept, ["devstack-precise-hpcloud-az2-2 in-use"], "the job's node is declared, so kept");
    assert.equal(s.fenced.length, 1, "the second plan had nothing claimable left to fence");
  });

  it("a clean fence needs no second read", async () => {
    const config = rolledOver();
    const s = sources(config, [inventory(config, [ours("devstack-precise-hpcloud-az2-1")])], [clean]);
    const decided = await decide(s);
    assert.equal(s.reads, 1);
    assert.deepEqual(
      s.fenced.map((nodes) => nodes.map((n) => n.name)),
      [["devstack-precise-hpcloud-az2-1"]],
    );
    assert.deepEqual(decided.plan.providers[0]!.desired.nodes, []);
  });

  it("a preview (no fence) changes nothing and plans once", async () => {
    const config = rolledOver();
    const s = sources(config, [inventory(config, [ours("devstack-precise-hpcloud-az2-1")])], undefined);
    await decide(s);
    assert.equal(s.reads, 1);
  });

  it(`gives up after ${MAX_FENCE_ATTEMPTS} plans that each lost nodes, declaring nothing`, async () => {
    const config = rolledOver();
    const read = inventory(config, [ours("devstack-precise-hpcloud-az2-1")]);
    const lost: FenceOutcome = {
      fenced: [],
      lost: [],
      errors: ["hpcloud-az2/devstack-precise-hpcloud-az2-1: 503"],
    };
    const s = sources(config, [read], [lost]);
    await assert.rejects(decide(s), /kept changing hands.*\n.*503\n.*nothing was deleted/s);
    assert.equal(s.reads, MAX_FENCE_ATTEMPTS);
  });
});
