import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  claimDescription,
  claimInProvider,
  claimPorts,
  parseClaim,
  portVerdict,
  sortedByName,
  STALE_CLAIM_SECONDS,
  wonUpdate,
} from "../../src/nodes/claim.js";
import { nextPollDelayMs } from "../../src/nodes/wait.js";
import type { NeutronPort } from "../../src/openstack/neutron.js";
import { fakeNode, fakeNodeCloud } from "../support/node-fake-clients.js";

const NOW = 1_800_000_000;

describe("port claims", () => {
  it("round-trip through the description, claimers with colons included", () => {
    assert.deepEqual(parseClaim(claimDescription("ci01:4211", NOW)), { claimer: "ci01:4211", at: NOW });
    assert.deepEqual(parseClaim(claimDescription("job-7", 5)), { claimer: "job-7", at: 5 });
    assert.deepEqual(parseClaim("nodepool-claim:no-time"), { claimer: "no-time", at: undefined });
    assert.equal(parseClaim(""), undefined);
    assert.equal(parseClaim(undefined), undefined);
    assert.equal(parseClaim("some operator's note"), undefined);
  });

  it("a port is free, claimed, or stale once its claim is STALE_CLAIM_SECONDS old", () => {
    assert.equal(portVerdict(undefined, NOW, STALE_CLAIM_SECONDS), "free");
    assert.equal(portVerdict("a note", NOW, STALE_CLAIM_SECONDS), "free");
    const at = (age: number) => claimDescription("job", NOW - age);
    assert.equal(portVerdict(at(0), NOW, STALE_CLAIM_SECONDS), "claimed");
    assert.equal(portVerdict(at(STALE_CLAIM_SECONDS - 1), NOW, STALE_CLAIM_SECONDS), "claimed");
    assert.equal(portVerdict(at(STALE_CLAIM_SECONDS), NOW, STALE_CLAIM_SECONDS), "stale");
    // A claim whose time cannot be read is never taken over.
    assert.equal(portVerdict("nodepool-claim:who-knows", NOW, STALE_CLAIM_SECONDS), "claimed");
  });

  it("only the update that answers the revision read plus one won", () => {
    assert.equal(wonUpdate(7, 8), true);
    assert.equal(wonUpdate(7, 10), false, "applied on top of another claimer's update");
    assert.equal(wonUpdate(7, 7), false);
  });

  it("picks one port per server, the same one for every claimer (lowest id)", () => {
    const port = (id: string, device: string) => ({ id, device_id: device }) as NeutronPort;
    const picked = claimPorts([port("b", "s1"), port("a", "s1"), port("c", "s2"), port("d", "")]);
    assert.deepEqual(
      [...picked].map(([server, p]) => [server, p.id]),
      [
        ["s1", "a"],
        ["s2", "c"],
      ],
    );
  });

  it("--no-shuffle orders candidates by name", () => {
    const named = (name: string) => ({ ...fakeNode("p", "l", 0).server, name, id: name });
    assert.deepEqual(
      sortedByName([named("n-2"), named("n-0"), named("n-1")]).map((s) => s.name),
      ["n-0", "n-1", "n-2"],
    );
  });
});

describe("--wait", () => {
  it("looks every 5 s and once more at the deadline; --wait 0 looks once", () => {
    assert.equal(nextPollDelayMs(0, 0), undefined);
    assert.equal(nextPollDelayMs(300, 5000), 4700);
    assert.equal(nextPollDelayMs(0, 12_000), 5000);
    assert.equal(nextPollDelayMs(5000, 5000), undefined);
    assert.equal(nextPollDelayMs(6000, 5000), undefined);
  });
});

describe("claimInProvider against Neutron's If-Match as it behaves under concurrency", () => {
  const setup = (count: number, states: string[] = []) => {
    const nodes = Array.from({ length: count }, (_, i) =>
      fakeNode("rax-iad", "small", i, states[i] ?? "ready"),
    );
    return fakeNodeCloud(
      "rax-iad",
      nodes.map((n) => n.server),
      nodes.map((n) => n.port),
    );
  };
  const claim = (cloud: ReturnType<typeof setup>, claimer: string, now = NOW) =>
    claimInProvider(cloud.clients, { label: "small", claimer, now, order: sortedByName });

  it("two claimers on one node at once: Neutron applies both updates, one claimer wins", async () => {
    const cloud = setup(1);
    const [a, b] = await Promise.all([claim(cloud, "a"), claim(cloud, "b")]);
    // Both updates were applied: If-Match alone would have let both claim the node.
    assert.deepEqual(
      cloud.updates
        .filter((u) => (u.description as string).startsWith("nodepool-claim:"))
        .map((u) => u.outcome)
        .slice(0, 2),
      ["applied", "applied by Neutron's retry"],
    );
    const won = [a, b].filter((r) => r.ok);
    assert.equal(won.length, 1);
    const loser = [a, b].find((r) => !r.ok)!;
    assert.ok(!loser.ok && loser.error.kind === "none-ready");
    assert.equal(loser.error.lostRaces, 1);
    assert.equal(loser.error.lostDespite200, 1, "Neutron answered the loser 200");
    const winner = won[0]!.ok ? won[0]!.value.claimedBy : "";
    assert.equal(cloud.servers[0]!.metadata.nodepool_claimed_by, winner);
    assert.equal(cloud.servers[0]!.metadata.nodepool_state, "in-use");
    // The loser put the winner's claim back on the port.
    assert.equal(parseClaim(cloud.ports[0]!.description)?.claimer, winner);
  });

  it("8 claimers, 5 nodes, all in the same order: 5 distinct winners, 3 none-ready", async () => {
    const cloud = setup(5);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => claim(cloud, `c${i}`)));
    const won = results.flatMap((r) => (r.ok ? [r.value] : []));
    assert.equal(won.length, 5);
    assert.equal(new Set(won.map((w) => w.serverId)).size, 5);
    assert.equal(results.filter((r) => !r.ok && r.error.kind === "none-ready").length, 3);
    for (const w of won) {
      const server = cloud.servers.find((s) => s.id === w.serverId)!;
      const port = cloud.ports.find((p) => p.device_id === w.serverId)!;
      assert.equal(server.metadata.nodepool_claimed_by, w.claimedBy);
      assert.equal(parseClaim(port.description)?.claimer, w.claimedBy, `${port.id} names its winner`);
    }
  });

  it("skips nodes whose port another claimer holds; takes over a claim left for 10 minutes", async () => {
    const cloud = setup(2);
    cloud.ports[0]!.description = claimDescription("busy", NOW - 60);
    cloud.ports[1]!.description = claimDescription("dead:77", NOW - STALE_CLAIM_SECONDS);
    const taken = await claim(cloud, "next");
    assert.ok(taken.ok);
    assert.equal(taken.value.serverId, "server-01");
    assert.equal(taken.value.tookOverFrom, "dead:77");
    const none = await claim(cloud, "other");
    assert.ok(!none.ok && none.error.kind === "none-ready");
    assert.equal(parseClaim(cloud.ports[0]!.description)?.claimer, "busy");
  });

  it("prefers a free node to a stale claim", async () => {
    const cloud = setup(2);
    cloud.ports[0]!.description = claimDescription("dead", NOW - 3600);
    const taken = await claim(cloud, "next");
    assert.ok(taken.ok);
    assert.equal(taken.value.serverId, "server-01");
    assert.equal(taken.value.tookOverFrom, undefined);
  });

  it("gives the port back when the node stopped being ready after it was listed", async () => {
    const cloud = setup(1);
    const listServers = cloud.clients.nova.listServers;
    // An operator holds it between the claimer's list and its lock.
    cloud.clients.nova.listServers = async (...args) => {
      const listed = await listServers(...args);
      cloud.servers[0]!.metadata.nodepool_state = "hold";
      return listed;
    };
    const result = await claim(cloud, "late");
    assert.ok(!result.ok && result.error.kind === "none-ready");
    assert.deepEqual(result.error.kind === "none-ready" && result.error.skipped, [
      "small-0: no longer ready",
    ]);
    assert.equal(cloud.ports[0]!.description, "");
    assert.equal(cloud.servers[0]!.metadata.nodepool_state, "hold");
  });

  it("names ready nodes without a port, which nothing can claim", async () => {
    const cloud = setup(2);
    cloud.ports.splice(1, 1);
    const first = await claim(cloud, "a");
    assert.ok(first.ok);
    assert.equal(first.value.serverId, "server-00");
    const second = await claim(cloud, "b");
    assert.ok(!second.ok && second.error.kind === "none-ready");
    assert.deepEqual(second.error.kind === "none-ready" && second.error.portless, [
      { serverId: "server-01", name: "small-1" },
    ]);
  });

  it("ignores nodes that are not ready, of another label or another provider", async () => {
    const cloud = setup(3, ["in-use", "used", "ready"]);
    cloud.servers[2]!.metadata.nodepool_label = "other";
    const result = await claim(cloud, "x");
    assert.ok(!result.ok && result.error.kind === "none-ready" && result.error.lostRaces === 0);
    assert.equal(cloud.updates.length, 0);
  });
});
