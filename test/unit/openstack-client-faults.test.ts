// The client against a local HTTP server that injects faults the real cloud can't on demand.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { clientsForSession } from "../../src/openstack/clients.js";
import { formatOpenStackError } from "../../src/openstack/errors.js";
import { Session, type SessionOptions } from "../../src/openstack/session.js";
import {
  startFakeCloud,
  FAKE_PASSWORD,
  type FakeCloud,
  type FakeCloudOptions,
} from "../support/openstack-fake.js";

const fakes: FakeCloud[] = [];
after(() => Promise.all(fakes.map((fake) => fake.close())));

async function fakeWith(options: FakeCloudOptions, session: SessionOptions = {}) {
  const fake = await startFakeCloud(options);
  fakes.push(fake);
  const delays: number[] = [];
  const clients = clientsForSession(
    new Session(fake.cloud(), {
      provider: "fake-provider",
      retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 2000 },
      sleep: async (ms) => void delays.push(ms),
      ...session,
    }),
  );
  const count = (method: string, path: string) =>
    fake.requests.filter((r) => r.method === method && r.path === path).length;
  return { fake, clients, delays, count };
}

const image = (n: number, extra: Record<string, string> = {}) => ({
  id: `00000000-0000-0000-0000-${String(n).padStart(12, "0")}`,
  name: `img-${n}`,
  status: "active",
  created_at: "2026-01-01T00:00:00Z",
  ...extra,
});

describe("the OpenStack client under faults", () => {
  it("retries a GET on 503 until it succeeds", async () => {
    const { clients, count } = await fakeWith({
      images: [image(1)],
      fault: (r, seen) => (r.path === "/image/v2/images" && seen <= 2 ? { status: 503 } : undefined),
    });
    const listed = await clients.glance.listImages();
    assert.ok(listed.ok);
    assert.equal(listed.value.length, 1);
    assert.equal(count("GET", "/image/v2/images"), 3);
  });

  it("waits as long as a 429's Retry-After says", async () => {
    const { clients, delays } = await fakeWith({
      fault: (r, seen) =>
        r.path === "/image/v2/images" && seen === 1
          ? { status: 429, headers: { "Retry-After": "1" } }
          : undefined,
    });
    assert.ok((await clients.glance.listImages()).ok);
    assert.deepEqual(delays, [1000]);
  });

  it("retries a GET after a connection reset", async () => {
    const { clients, count } = await fakeWith({
      servers: [],
      fault: (r, seen) => (r.path.endsWith("/servers/detail") && seen === 1 ? "reset" : undefined),
    });
    assert.ok((await clients.nova.listServers()).ok);
    assert.equal(count("GET", "/compute/v2.1/servers/detail"), 2);
  });

  it("never repeats a server create after a 500 or a reset", async () => {
    for (const fault of [{ status: 500, body: { computeFault: { message: "boom" } } }, "reset"] as const) {
      const { clients, count } = await fakeWith({
        fault: (r) => (r.method === "POST" && r.path === "/compute/v2.1/servers" ? fault : undefined),
      });
      const created = await clients.nova.createServer({
        name: "n1",
        imageRef: "i",
        flavorRef: "f",
        networks: "none",
      });
      assert.ok(!created.ok);
      assert.equal(count("POST", "/compute/v2.1/servers"), 1, `one POST only after ${JSON.stringify(fault)}`);
      assert.equal(created.error.attempts, 1);
      if (fault === "reset")
        assert.match(created.error.message, /not retried: the request may have been processed/);
      else
        assert.match(
          formatOpenStackError(created.error),
          /^fake-provider: POST http:\/\/127\.0\.0\.1:\d+\/compute\/v2\.1\/servers: 500 Internal Server Error: boom$/,
        );
    }
  });

  it("gives up after the last attempt with the provider, request, status and message", async () => {
    const { clients, count } = await fakeWith({
      fault: (r) =>
        r.path === "/image/v2/images" ? { status: 502, body: { message: "upstream gone" } } : undefined,
    });
    const listed = await clients.glance.listImages();
    assert.ok(!listed.ok);
    assert.equal(count("GET", "/image/v2/images"), 4);
    assert.match(
      formatOpenStackError(listed.error),
      /^fake-provider: GET http:\/\/127\.0\.0\.1:\d+\/image\/v2\/images\?limit=1000: 502 Bad Gateway: upstream gone \(after 4 attempts\)$/,
    );
  });

  it("times out a hung request", async () => {
    const { clients } = await fakeWith(
      { fault: (r) => (r.path === "/image/v2/images" ? "hang" : undefined) },
      { timeoutMs: 150, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } },
    );
    const started = Date.now();
    const listed = await clients.glance.listImages();
    assert.ok(!listed.ok);
    assert.equal(listed.error.kind, "timeout");
    assert.match(listed.error.message, /no answer within 150 ms/);
    assert.ok(Date.now() - started < 2000);
  });

  it("stops backing off when the caller's deadline passes", async () => {
    const fake = await startFakeCloud({
      fault: (r) =>
        r.path === "/image/v2/images" ? { status: 503, headers: { "Retry-After": "5" } } : undefined,
    });
    fakes.push(fake);
    const session = new Session(fake.cloud(), { provider: "p", signal: AbortSignal.timeout(300) });
    const started = Date.now();
    const listed = await clientsForSession(session).glance.listImages();
    assert.ok(!listed.ok);
    assert.equal(listed.error.kind, "timeout");
    assert.equal(listed.error.message, "the provider's deadline passed");
    assert.ok(Date.now() - started < 2000, "did not sleep the 5 s Retry-After");
  });

  it("never puts the password or the token in an error, even when the service echoes them", async () => {
    let token = "";
    const { clients } = await fakeWith({
      fault: (r) => {
        if (r.path !== "/image/v2/images") return undefined;
        token = String(r.headers["x-auth-token"]);
        return { status: 400, body: { message: `bad request from ${FAKE_PASSWORD} with token ${token}` } };
      },
    });
    const listed = await clients.glance.listImages();
    assert.ok(!listed.ok);
    const text = formatOpenStackError(listed.error) + JSON.stringify(listed.error);
    assert.ok(token.startsWith("tok-"));
    assert.ok(!text.includes(FAKE_PASSWORD), text);
    assert.ok(!text.includes(token), text);
    assert.match(text, /bad request from \*\*\* with token \*\*\*/);
  });

  it("reports wrong credentials as an auth error without the password", async () => {
    const fake = await startFakeCloud();
    fakes.push(fake);
    const wrong = "not-the-password-771";
    const cloud = fake.cloud();
    const session = new Session(
      { ...cloud, auth: { ...cloud.auth, type: "password", password: wrong } as typeof cloud.auth },
      { provider: "p" },
    );
    const listed = await clientsForSession(session).glance.listImages();
    assert.ok(!listed.ok);
    assert.equal(listed.error.kind, "auth");
    const text = formatOpenStackError(listed.error);
    assert.match(
      text,
      /^p: POST http:\/\/127\.0\.0\.1:\d+\/v3\/auth\/tokens: 401 Unauthorized: Keystone refused the credentials/,
    );
    assert.ok(!text.includes(wrong));
  });

  it("shares one token among concurrent calls and renews it before it expires", async () => {
    let clock = Date.now();
    const { fake, clients } = await fakeWith({ tokenTtlSeconds: 3600 }, { now: () => clock });
    await Promise.all([1, 2, 3, 4, 5].map(() => clients.glance.listImages()));
    assert.equal(fake.tokensIssued(), 1);
    clock += 39 * 60_000;
    await clients.glance.listImages();
    assert.equal(fake.tokensIssued(), 1, "39 minutes in, the token is still good");
    clock += 2 * 60_000;
    await clients.glance.listImages();
    // 20 minutes ahead, so the token handed to the OpenStack provider outlives the round.
    assert.equal(fake.tokensIssued(), 2, "within 20 minutes of expiry, a new one");
  });

  it("re-issues the token once when a service answers 401", async () => {
    const { fake, clients, count } = await fakeWith({
      fault: (r, seen) =>
        r.path === "/image/v2/images" && seen === 1
          ? { status: 401, body: { error: { message: "expired" } } }
          : undefined,
    });
    assert.ok((await clients.glance.listImages()).ok);
    assert.equal(fake.tokensIssued(), 2);
    assert.equal(count("GET", "/image/v2/images"), 2);
  });

  it("follows Glance's next and Nova's links, one request per page, filters kept", async () => {
    const images = Array.from({ length: 25 }, (_, n) =>
      image(n, { nodepool_kind: n % 5 === 0 ? "other" : "image" }),
    );
    const servers = Array.from({ length: 23 }, (_, n) => ({
      id: `s${String(n).padStart(3, "0")}`,
      name: `s${n}`,
    }));
    const { clients, count, fake } = await fakeWith({ images, servers });
    const listed = await clients.glance.listImages({ filters: { nodepool_kind: "image" }, pageSize: 7 });
    assert.ok(listed.ok);
    assert.equal(listed.value.length, 20);
    assert.equal(count("GET", "/image/v2/images"), 3);
    assert.ok(
      fake.requests
        .filter((r) => r.path === "/image/v2/images")
        .every((r) => r.query.get("nodepool_kind") === "image"),
    );
    const all = await clients.nova.listServers({ pageSize: 10 });
    assert.ok(all.ok);
    assert.deepEqual(
      all.value.map((s) => s.name),
      servers.map((s) => s.name),
    );
    assert.equal(count("GET", "/compute/v2.1/servers/detail"), 3);
  });

  it("turns a port update that lost the race (412) into a conflict value", async () => {
    const ports: Record<string, unknown>[] = [
      { id: "port1", name: "", device_id: "d", network_id: "n", revision_number: 4, fixed_ips: [] },
    ];
    const { clients } = await fakeWith({ ports });
    const won = await clients.neutron.updatePortIfRevision("port1", { description: "claimed by job 1" }, 4);
    assert.ok(won.ok);
    assert.equal(won.value.revision_number, 5);
    assert.equal(ports[0]!.revision_number, 5);
    const lost = await clients.neutron.updatePortIfRevision("port1", { description: "claimed by job 2" }, 4);
    assert.ok(!lost.ok);
    assert.equal(lost.error.kind, "conflict");
    assert.equal("expectedRevision" in lost.error && lost.error.expectedRevision, 4);
    assert.equal(ports[0]!.description, "claimed by job 1");
  });
});
