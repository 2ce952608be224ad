import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { claimInProvider, claimDescription } from "../../src/nodes/claim.js";
import { lockAndMark, markNode } from "../../src/nodes/mark.js";
import type { PoolNode } from "../../src/plan/inventory.js";
import { fakeNode, fakeNodeCloud } from "../support/node-fake-clients.js";

describe("markNode", () => {
  const setup = () => {
    const node = fakeNode("rax-iad", "small", 0, "in-use");
    return fakeNodeCloud("rax-iad", [node.server], [node.port]);
  };

  it("hold records the reason (or a default) and the time", async () => {
    const cloud = setup();
    assert.ok((await markNode(cloud.clients, "server-00", "hold", 1000, "flaky test 4211")).ok);
    const meta = cloud.servers[0]!.metadata;
    assert.deepEqual(
      [meta.nodepool_state, meta.nodepool_hold_reason, meta.nodepool_state_at],
      ["hold", "flaky test 4211", "1000"],
    );
    await markNode(cloud.clients, "server-00", "hold", 1001);
    assert.equal(cloud.servers[0]!.metadata.nodepool_hold_reason, "held for debugging");
  });

  it("release and delete clear a hold reason, so a used node does not say why it was held", async () => {
    for (const state of ["used", "deleting"] as const) {
      const cloud = setup();
      await markNode(cloud.clients, "server-00", "hold", 1000, "debugging");
      assert.ok((await markNode(cloud.clients, "server-00", state, 2000)).ok);
      const meta = cloud.servers[0]!.metadata;
      assert.deepEqual(
        [meta.nodepool_state, meta.nodepool_hold_reason, meta.nodepool_state_at],
        [state, "", "2000"],
      );
    }
  });

  it("leaves who claimed it alone, and never touches the port's lock", async () => {
    const cloud = setup();
    cloud.servers[0]!.metadata.nodepool_claimed_by = "zuul:build-4211";
    cloud.ports[0]!.description = "nodepool-claim:zuul:build-4211:1000";
    await markNode(cloud.clients, "server-00", "used", 2000);
    assert.equal(cloud.servers[0]!.metadata.nodepool_claimed_by, "zuul:build-4211");
    assert.equal(cloud.ports[0]!.description, "nodepool-claim:zuul:build-4211:1000");
    assert.equal(cloud.updates.length, 0);
  });

  it("a server that is gone: the cloud's error comes back", async () => {
    const cloud = setup();
    const result = await markNode(cloud.clients, "server-99", "used", 2000);
    assert.ok(!result.ok && result.error.status === 404);
  });
});

describe("lockAndMark: a mark of a node a job could claim takes the port lock with it", () => {
  const NOW = 1_800_000_000;
  const poolNode = (serverId: string): PoolNode => ({
    provider: "rax-iad",
    label: "small",
    name: "small-0",
    imageVersion: 1394514268,
    state: "ready",
    createdAt: NOW - 60,
    serverId,
  });
  const readyCloud = () => {
    const node = fakeNode("rax-iad", "small", 0);
    delete node.server.metadata.nodepool_state;
    return fakeNodeCloud("rax-iad", [node.server], [node.port]);
  };
  const lock = (cloud: ReturnType<typeof readyCloud>, who = "ops", state: "hold" | "used" = "hold") =>
    lockAndMark(cloud.clients, poolNode("server-00"), who, state, NOW, { holdReason: "flaky test" });

  it("locks a free node's port and writes the mark in the same step: a later claim finds nothing", async () => {
    const cloud = readyCloud();
    assert.deepEqual(await lock(cloud, "nodepool node hold (ops)"), { ok: true, value: undefined });
    assert.match(cloud.ports[0]!.description ?? "", /nodepool node hold \(ops\)/);
    const meta = cloud.servers[0]!.metadata;
    assert.deepEqual(
      [meta.nodepool_state, meta.nodepool_hold_reason, meta.nodepool_claimed_by, meta.nodepool_state_at],
      ["hold", "flaky test", "nodepool node hold (ops)", String(NOW)],
    );
    // One metadata write: the node never showed in-use by the command.
    assert.deepEqual(
      cloud.metadataWrites.map((w) => w.nodepool_state),
      ["hold"],
    );
    const claim = await claimInProvider(cloud.clients, { label: "small", claimer: "job", now: NOW });
    assert.ok(!claim.ok && claim.error.kind === "none-ready");
  });

  it("racing a claim for the same node, in either order: exactly one of them gets it", async () => {
    for (const operatorFirst of [true, false]) {
      const cloud = readyCloud();
      const claim = () => claimInProvider(cloud.clients, { label: "small", claimer: "job", now: NOW });
      const [locked, claimed] = operatorFirst
        ? await Promise.all([lock(cloud, "ops", "used"), claim()])
        : await Promise.all([claim(), lock(cloud, "ops", "used")]).then(([c, l]) => [l, c] as const);
      assert.equal([locked.ok, claimed.ok].filter(Boolean).length, 1, JSON.stringify({ locked, claimed }));
      if (!locked.ok) assert.equal(locked.error.kind, "taken");
      assert.equal(cloud.servers[0]!.metadata.nodepool_state, locked.ok ? "used" : "in-use");
    }
  });

  it("a node whose port a job locked meanwhile is taken: nothing changes", async () => {
    const cloud = readyCloud();
    const taken = claimDescription("job-7", NOW - 5);
    cloud.ports[0]!.description = taken;
    const locked = await lock(cloud);
    assert.ok(!locked.ok && locked.error.kind === "taken");
    assert.equal(cloud.ports[0]!.description, taken);
    assert.equal(cloud.servers[0]!.metadata.nodepool_state, undefined);
  });

  it("a node without a port cannot be claimed: the mark alone", async () => {
    const cloud = readyCloud();
    cloud.ports.length = 0;
    assert.deepEqual(await lock(cloud), { ok: true, value: undefined });
    assert.equal(cloud.servers[0]!.metadata.nodepool_state, "hold");
  });
});
