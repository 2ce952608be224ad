// Issue 12, item 10: what a waiting `node claim` costs the cloud. 200 jobs wait on an empty
// pool at once, so every look must be cheap: one token per provider for the whole run, lists
// filtered to what could be claimed, and looks at jittered intervals so waiters drift apart.
// Run in-process via main() against stand-in clouds (one per provider) that count requests.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it, mock } from "node:test";
import { main } from "../../src/cli/main.js";
import { claimDescription, claimInProvider, sortedByName } from "../../src/nodes/claim.js";
import { jitteredPollDelayMs, POLL_SECONDS } from "../../src/nodes/wait.js";
import { captureIo } from "../support/capture-io.js";
import { fakeNode, fakeNodeCloud } from "../support/node-fake-clients.js";
import {
  FAKE_PASSWORD,
  startFakeCloud,
  type FakeCloud,
  type FakeRequest,
} from "../support/openstack-fake.js";

const CONFIG = `
providers:
  - name: p-one
    cloud: cloud-one
    max-servers: 60
    flavor: m1.nodepool
    networks: [private]
    template-domain: template.example.org
  - name: p-two
    cloud: cloud-two
    max-servers: 8
    flavor: m1.nodepool
    networks: [private]
    template-domain: template.example.org
images:
  - name: small
    base-image: ubuntu-precise
    setup: setup.sh
    rebuild-age: 24h
    build-timeout: 1h
    keep: 2
    providers: [p-one, p-two]
labels:
  - name: never-ready
    image: small
    min-ready: { p-one: 1, p-two: 1 }
    max-ready-age: 24h
  - name: busy
    image: small
    min-ready: { p-one: 45 }
    max-ready-age: 24h
  - name: on-demand
    image: small
    min-ready: { p-one: 0 }
    max-ready-age: 24h
`;

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

function node(n: number, provider: string, label: string, state: string, status = "ACTIVE") {
  return {
    id: uuid(n),
    name: `${label}-${n}`,
    status,
    created: new Date().toISOString(),
    metadata: {
      nodepool_kind: "node",
      nodepool_provider: provider,
      nodepool_label: label,
      nodepool_state: state,
      nodepool_version: "1394514268",
    },
    addresses: { private: [{ addr: `198.51.100.${n % 250}`, version: 4 }] },
    image: { id: "image-1" },
    flavor: {},
  };
}

/** A port whose lock another job took a moment ago: its node is a candidate nobody can have. */
function claimedPort(n: number) {
  const now = new Date();
  return {
    id: `port-${uuid(n)}`,
    name: "",
    device_id: uuid(n),
    network_id: "net-1",
    revision_number: 5,
    fixed_ips: [{ ip_address: `198.51.100.${n % 250}`, subnet_id: "subnet-1" }],
    description: claimDescription("other-job", Math.floor(now.getTime() / 1000)),
    updated_at: now.toISOString().replace(/\.\d+Z$/, "Z"),
  };
}

interface StandIn {
  fake: FakeCloud;
  /** When each request arrived (ms), in order. */
  arrivals: { at: number; request: FakeRequest }[];
}

async function standIn(servers: object[], ports: object[] = []): Promise<StandIn> {
  const arrivals: StandIn["arrivals"] = [];
  const fake = await startFakeCloud({
    servers,
    ports,
    fault: (request) => void arrivals.push({ at: Date.now(), request }),
  });
  return { fake, arrivals };
}

const tokenRequests = (s: StandIn) => s.arrivals.filter((a) => a.request.path === "/v3/auth/tokens");
const serverLists = (s: StandIn) => s.arrivals.filter((a) => a.request.path.endsWith("/servers/detail"));
const portLists = (s: StandIn) => s.arrivals.filter((a) => a.request.path === "/network/v2.0/ports");

describe("claims under load", () => {
  let dir = "";
  const saved = process.env.OS_CLIENT_CONFIG_FILE;
  const clouds: StandIn[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "nodepool-claims-load-"));
    writeFileSync(join(dir, "images.yaml"), CONFIG);
    writeFileSync(join(dir, "setup.sh"), "#!/bin/sh\ntrue\n");
  });
  afterEach(() => mock.restoreAll());
  after(async () => {
    await Promise.all(clouds.map((c) => c.fake.close()));
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.OS_CLIENT_CONFIG_FILE;
    else process.env.OS_CLIENT_CONFIG_FILE = saved;
  });

  /** clouds.yaml naming each stand-in as its provider's cloud. */
  function useClouds(one: StandIn, two: StandIn) {
    clouds.push(one, two);
    const entry = (s: StandIn) => ({
      auth: {
        auth_url: `${s.fake.url}/v3`,
        username: "nodepool",
        password: FAKE_PASSWORD,
        project_name: "p",
      },
      region_name: "RegionOne",
    });
    writeFileSync(
      join(dir, "clouds.yaml"),
      JSON.stringify({ clouds: { "cloud-one": entry(one), "cloud-two": entry(two) } }),
    );
    process.env.OS_CLIENT_CONFIG_FILE = join(dir, "clouds.yaml");
  }

  async function claim(...args: string[]) {
    const io = captureIo();
    const code = await main(["node", "claim", ...args, "-f", join(dir, "images.yaml")], io);
    return { code, stderr: io.stderr() };
  }

  it("claims under load: a --wait on an empty pool takes one token per provider, lists only ACTIVE servers, asks for no ports, and jitters its looks", async () => {
    // Nothing of never-ready is claimable: one in use, one booting, the ready one of another label.
    const one = await standIn([
      node(1, "p-one", "never-ready", "in-use"),
      node(2, "p-one", "never-ready", "ready", "BUILD"),
      node(3, "p-one", "busy", "ready"),
    ]);
    const two = await standIn([node(4, "p-two", "never-ready", "used")]);
    useClouds(one, two);
    // The jitter's lowest draw: looks 2.5 s apart (0.5 × 5 s), then the last one at the deadline.
    mock.method(Math, "random", () => 0);

    const result = await claim("never-ready", "--wait", "3");

    assert.equal(result.code, 3, result.stderr);
    // One summary per provider, so that a failure shows every count at once.
    const summary = (cloud: StandIn) => {
      const looks = serverLists(cloud);
      const gap = looks.length > 1 ? looks[1]!.at - looks[0]!.at : Infinity;
      return {
        looks: looks.length,
        tokenRequests: tokenRequests(cloud).length,
        serverListsWithoutStatusActive: looks.filter(
          (look) => look.request.query.getAll("status").join() !== "ACTIVE",
        ).length,
        portLists: portLists(cloud).length,
        secondLookAfterJitteredDelay: gap >= 2400 && gap < 2900 ? "yes" : `no: ${gap} ms`,
      };
    };
    const expected = {
      looks: 3, // at 0 s, 2.5 s and the deadline
      tokenRequests: 1,
      serverListsWithoutStatusActive: 0,
      portLists: 0, // no candidate, so no port is asked for
      secondLookAfterJitteredDelay: "yes",
    };
    assert.deepEqual(
      { "p-one": summary(one), "p-two": summary(two) },
      { "p-one": expected, "p-two": expected },
    );
    // The stand-in cloud has no networks, so the node request cannot be recorded: the claim
    // says so and waits all the same (test/e2e/ covers requests on the real cloud).
    assert.match(
      result.stderr,
      /^nodepool node claim: p-\w+: recording a request for never-ready: .*; waiting without a request\nno ready never-ready node yet; looking again in 3 s \(3 s left\)\n/,
    );
  });

  it("claims from a pool of min-ready 0: it is a pool (as the plan says), so the claim looks instead of refusing", async () => {
    const one = await standIn([node(5, "p-one", "on-demand", "in-use")]);
    const two = await standIn([]);
    useClouds(one, two);
    const result = await claim("on-demand", "--wait", "0");
    assert.equal(result.code, 3, result.stderr);
    assert.doesNotMatch(result.stderr, /has no pool/);
    assert.equal(serverLists(one).length, 1, "p-one was looked at");
    assert.equal(serverLists(two).length, 0, "p-two has no on-demand pool");
  });

  it("claims under load: ports are asked only for the candidates, 40 servers per request", async () => {
    // 45 ready nodes whose ports other jobs hold (so the claim looks at every one) and an
    // in-use node, which is no candidate: its port is never asked for.
    const busy = Array.from({ length: 45 }, (_, i) => i + 10);
    const one = await standIn(
      [...busy.map((n) => node(n, "p-one", "busy", "ready")), node(99, "p-one", "busy", "in-use")],
      [...busy, 99].map(claimedPort),
    );
    const two = await standIn([]);
    useClouds(one, two);

    const result = await claim("busy", "--wait", "0");

    assert.equal(result.code, 3, result.stderr);
    assert.equal(tokenRequests(one).length, 1);
    assert.deepEqual(
      serverLists(one).map((a) => a.request.query.getAll("status")),
      [["ACTIVE"]],
    );
    const asked = portLists(one).map((a) => a.request.query.getAll("device_id"));
    assert.deepEqual(
      asked.map((ids) => ids.length),
      [40, 5],
    );
    assert.deepEqual(asked.flat().sort(), busy.map(uuid).sort());
    assert.equal(serverLists(two).length + tokenRequests(two).length, 0, "p-two has no busy pool");
  });
});

describe("claims under load: the jittered --wait delay", () => {
  const always = (draw: number) => () => draw;

  it("claims under load: a delay is drawn uniformly from 0.5× to 1.5× of POLL_SECONDS", () => {
    assert.equal(POLL_SECONDS, 5);
    assert.equal(jitteredPollDelayMs(0, 60_000, always(0)), 2500);
    assert.equal(jitteredPollDelayMs(0, 60_000, always(0.25)), 3750);
    assert.equal(jitteredPollDelayMs(0, 60_000, always(0.5)), 5000);
    assert.ok(jitteredPollDelayMs(0, 60_000, always(0.999_999))! < 7500);
    // Two claimers that started together and drew differently look again at different times.
    assert.notEqual(jitteredPollDelayMs(0, 60_000, always(0.1)), jitteredPollDelayMs(0, 60_000, always(0.9)));
  });

  it("claims under load: a jittered delay never goes past the deadline, and none is left after it", () => {
    assert.equal(jitteredPollDelayMs(0, 3000, always(0.9)), 3000, "the last look is at the deadline");
    assert.equal(jitteredPollDelayMs(2500, 3000, always(0)), 500);
    assert.equal(jitteredPollDelayMs(3000, 3000, always(0)), undefined);
    assert.equal(jitteredPollDelayMs(4000, 3000, always(0.5)), undefined);
    assert.equal(jitteredPollDelayMs(0, 0, always(0.5)), undefined, "--wait 0 looks once");
  });
});

describe("claims under load: filtered lists keep what a claim may take", () => {
  it("claims under load: with acceptBooting, a node still booting (BUILD) is listed and locked", async () => {
    const booting = fakeNode("rax-iad", "small", 0);
    booting.server.status = "BUILD";
    const cloud = fakeNodeCloud("rax-iad", [booting.server], [booting.port]);
    const request = { label: "small", claimer: "round", now: 1_800_000_000, order: sortedByName };
    const job = await claimInProvider(cloud.clients, request);
    assert.ok(!job.ok && job.error.kind === "none-ready", "a job never takes a booting node");
    const fence = await claimInProvider(cloud.clients, {
      ...request,
      acceptBooting: true,
      mirror: { nodepool_state: "deleting" },
    });
    assert.ok(fence.ok, JSON.stringify(fence));
    assert.equal(cloud.servers[0]!.metadata.nodepool_state, "deleting");
  });
});
