import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { META } from "../../src/core/metadata.js";
import { err } from "../../src/core/result.js";
import { clientsForSession, type ProviderClients } from "../../src/openstack/clients.js";
import { imageState } from "../../src/openstack/glance.js";
import { poolNodeFrom } from "../../src/openstack/inventory-mapping.js";
import { nodeState } from "../../src/plan/node-rules.js";
import { readInventory } from "../../src/openstack/inventory.js";
import type { NovaServer } from "../../src/openstack/nova.js";
import { Session } from "../../src/openstack/session.js";
import { startFakeCloud, type FakeCloud, type FakeCloudOptions } from "../support/openstack-fake.js";

const fakes: FakeCloud[] = [];
after(() => Promise.all(fakes.map((fake) => fake.close())));

async function provider(
  name: string,
  options: FakeCloudOptions,
): Promise<[string, ProviderClients, FakeCloud]> {
  const fake = await startFakeCloud(options);
  fakes.push(fake);
  const session = new Session(fake.cloud(), {
    provider: name,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  });
  return [name, clientsForSession(session), fake];
}

const image = (provider: string, version: number, status = "active") => ({
  id: `img-${provider}-${version}`,
  name: `devstack-precise-${version}`,
  status,
  created_at: "2026-11-27T10:00:00Z",
  [META.kind]: "image",
  [META.provider]: provider,
  [META.image]: "devstack-precise",
  [META.version]: String(version),
  [META.createdAt]: String(version + 2700),
  [META.templateServer]: `tpl-${version}`,
});

const server = (id: string, status: string, metadata: Record<string, string>): NovaServer => ({
  id,
  name: id,
  status,
  created: "2026-11-27T12:00:00Z",
  metadata,
  addresses: { net: [{ addr: "10.0.0.5", version: 4 }] },
  image: { id: "img-a-1394417686" },
  flavor: {},
});

describe("inventory read", () => {
  it("maps images, templates and nodes from nodepool's metadata, skipping what is not ours", async () => {
    const node = {
      [META.kind]: "node",
      [META.provider]: "a",
      [META.label]: "devstack-precise",
      [META.version]: "1394417686",
    };
    const [, clients] = await provider("a", {
      images: [image("a", 1394417686), image("a", 1394514268, "queued"), image("other", 1)],
      servers: [
        server("n1", "ACTIVE", node),
        server("n2", "ACTIVE", { ...node, [META.state]: "in-use", [META.claimedBy]: "job-7" }),
        server("n3", "BUILD", node),
        server("t1", "ACTIVE", {
          [META.kind]: "template",
          [META.provider]: "a",
          [META.image]: "devstack-precise",
          [META.version]: "1394514268",
        }),
        server("t2", "ACTIVE", {
          [META.kind]: "template",
          [META.provider]: "a",
          [META.image]: "devstack-precise",
          [META.version]: "1394514300",
          [META.setupStatus]: "done",
        }),
        server("stranger", "ACTIVE", {}),
        server("n-other", "ACTIVE", { ...node, [META.provider]: "b" }),
      ],
    });
    const inventory = await readInventory(
      { providers: [{ name: "a", templateDomain: "t.example" }] },
      { a: { ok: true, value: clients } },
      1394516968,
    );
    const a = inventory.providers.a!;
    assert.ok(a.readable);
    assert.deepEqual(
      a.images.map((b) => [b.version, b.state, b.createdAt, b.hostname, b.cloudImageId, b.templateServerId]),
      [
        [
          1394417686,
          "ready",
          1394420386,
          "devstack-precise-1394417686.t.example",
          "img-a-1394417686",
          "tpl-1394417686",
        ],
        [
          1394514268,
          "building",
          1394516968,
          "devstack-precise-1394514268.t.example",
          "img-a-1394514268",
          "tpl-1394514268",
        ],
      ],
    );
    assert.deepEqual(
      a.templates.map((t) => [t.serverId, t.state, t.version, t.setupDone]),
      [
        ["t1", "active", 1394514268, undefined],
        ["t2", "active", 1394514300, true],
      ],
    );
    assert.deepEqual(
      a.nodes.map((n) => [n.serverId, n.state, n.ip, n.imageVersion, n.claimedBy]),
      [
        ["n1", "ready", "10.0.0.5", 1394417686, undefined],
        ["n2", "in-use", "10.0.0.5", 1394417686, "job-7"],
        ["n3", "building", "10.0.0.5", 1394417686, undefined],
      ],
    );
    assert.equal(inventory.readAt, 1394516968);
  });

  it("reads providers in parallel; a hung one is unreadable at its deadline, the others are read", async () => {
    const [, fast] = await provider("fast", { images: [image("fast", 100)], latencyMs: 50 });
    const [, hung] = await provider("hung", {
      fault: (r) => (r.path.includes("/servers") ? "hang" : undefined),
    });
    const [, down] = await provider("down", {
      fault: (r) =>
        r.path.startsWith("/v3") ? undefined : { status: 503, body: { message: "maintenance" } },
    });
    const DEADLINE_MS = 2000;
    const started = Date.now();
    const inventory = await readInventory(
      {
        providers: [
          { name: "fast" },
          { name: "hung" },
          { name: "down" },
          { name: "missing" },
          { name: "noconf" },
        ],
      },
      {
        fast: { ok: true, value: fast },
        hung: { ok: true, value: hung },
        down: { ok: true, value: down },
        noconf: err({ kind: "config", provider: "noconf", message: 'cloud "noconf" not found' }),
      },
      0,
      // Long enough that the fast provider's few 50 ms calls finish on a loaded machine.
      { deadlineMs: DEADLINE_MS },
    );
    const elapsed = Date.now() - started;
    // The hung provider is given up at the deadline, not waited for.
    assert.ok(elapsed < DEADLINE_MS + 3000, `took ${elapsed} ms`);
    const fastRead = inventory.providers.fast!;
    assert.ok(fastRead.readable && fastRead.images.length === 1);
    const error = (name: string) => {
      const entry = inventory.providers[name]!;
      return entry.readable ? "readable" : entry.error;
    };
    assert.equal(error("hung"), `hung: not read within the ${DEADLINE_MS} ms deadline`);
    assert.match(
      error("down"),
      /^down: GET http:\/\/127\.0\.0\.1:\d+\/.*: 503 Service Unavailable: maintenance$/,
    );
    assert.equal(error("missing"), "missing: no client for this provider");
    assert.equal(error("noconf"), 'noconf: cloud "noconf" not found');
  });

  it("makes a constant number of list calls per provider: 1 token, 3 Glance lists, 1 Nova list, the quotas and flavors, 1 request list, plus pages", async () => {
    const images = Array.from({ length: 120 }, (_, n) => image("p", 1000 + n));
    const node = { [META.kind]: "node", [META.provider]: "p", [META.label]: "l", [META.version]: "1000" };
    const servers = Array.from({ length: 90 }, (_, n) =>
      server(`s${String(n).padStart(3, "0")}`, "ACTIVE", node),
    );
    // Nova's own page size (max_limit) is 50 here: the inventory lists servers unpaged.
    const [, clients, fake] = await provider("p", { images, servers, maxLimit: 50 });
    const inventory = await readInventory(
      { providers: [{ name: "p" }] },
      { p: { ok: true, value: clients } },
      0,
      { pageSize: 50 },
    );
    const p = inventory.providers.p!;
    assert.ok(p.readable && p.images.length === 120 && p.nodes.length === 90);
    // Glance: hidden images (none here), then 3 pages of the others, then hidden again.
    // Neutron: node requests (ports of device_owner nodepool:request); and, since there are
    // ready nodes, their ports, where a claim in progress shows first.
    // Nova: the servers (2 pages), its absolute limits and the flavors; Neutron: the port
    // quota (the quota, issue 15).
    assert.deepEqual(clients.session.requestCounts, { identity: 1, image: 5, compute: 4, network: 3 });
    assert.equal(fake.requests.length, 13);
  });

  it("reads a ready node whose port a claim has just locked as in-use, so no reconcile deletes it", async () => {
    const node = { [META.kind]: "node", [META.provider]: "a", [META.label]: "l", [META.version]: "1000" };
    const now = 1_800_000_000;
    const port = (device: string, description: string) => ({
      id: `port-${device}`,
      device_id: device,
      description,
      revision_number: 3,
      fixed_ips: [],
    });
    const [, clients] = await provider("a", {
      servers: [
        server("fresh", "ACTIVE", node),
        server("stale", "ACTIVE", node),
        server("free", "ACTIVE", node),
        server("used", "ACTIVE", { ...node, [META.state]: "used" }),
      ],
      ports: [
        port("fresh", `nodepool-claim:job-1:${now - 5}`),
        port("stale", `nodepool-claim:job-0:${now - 3600}`),
        port("free", ""),
        port("used", `nodepool-claim:job-9:${now - 5}`),
      ],
    });
    const inventory = await readInventory(
      { providers: [{ name: "a" }] },
      { a: { ok: true, value: clients } },
      now,
    );
    const a = inventory.providers.a!;
    assert.ok(a.readable);
    assert.deepEqual(
      a.nodes.map((n) => [n.serverId, n.state, n.claimedBy]),
      [
        ["fresh", "in-use", "job-1"],
        ["stale", "ready", undefined],
        ["free", "ready", undefined],
        ["used", "used", undefined],
      ],
    );
  });

  it("a provider whose ports cannot be read is unreadable: its claims in progress are unknown", async () => {
    const node = { [META.kind]: "node", [META.provider]: "a", [META.label]: "l", [META.version]: "1000" };
    const [, clients] = await provider("a", {
      servers: [server("n1", "ACTIVE", node)],
      fault: (request) => (request.path.startsWith("/network/v2.0/ports") ? { status: 403 } : undefined),
    });
    const inventory = await readInventory(
      { providers: [{ name: "a" }] },
      { a: { ok: true, value: clients } },
      0,
    );
    const a = inventory.providers.a!;
    assert.ok(!a.readable);
    assert.match(a.error, /^a: GET .*\/v2\.0\/ports.*: 403/);
  });
});

describe("state mapping", () => {
  it("maps Glance statuses: only active is ready; deactivated is kept as such", () => {
    assert.deepEqual(
      ["active", "queued", "saving", "importing", "killed", "deactivated", "pending_delete"].map(imageState),
      ["ready", "building", "building", "building", "failed", "deactivated", "failed"],
    );
  });

  it("maps in-use/hold/used/deleting from the CLI's metadata first, then Nova's status", () => {
    assert.equal(nodeState("BUILD", "ready"), "building");
    assert.equal(nodeState("ERROR", "hold"), "hold");
    assert.equal(nodeState("ERROR", undefined), "failed");
    assert.equal(nodeState("ACTIVE", undefined), "ready");
    assert.equal(nodeState("ACTIVE", "hold"), "hold");
    assert.equal(nodeState("ACTIVE", "bogus"), "failed");
    assert.equal(nodeState("SHUTOFF", undefined), "failed");
    assert.equal(nodeState("SHUTOFF", "hold"), "hold");
  });

  it("ignores servers whose metadata is not a node of this provider", () => {
    assert.equal(
      poolNodeFrom("a", server("x", "ACTIVE", { [META.kind]: "node", [META.provider]: "a" })),
      undefined,
    );
  });
});
