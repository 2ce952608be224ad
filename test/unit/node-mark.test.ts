import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { markNode } from "../../src/nodes/mark.js";
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
