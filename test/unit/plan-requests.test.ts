// Node requests in the plan: demand beyond min-ready, oldest first and fair across labels,
// capped by max-servers, and requests of dead claimers expired (core/node-request.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { shareDemand } from "../../src/plan/capacity.js";
import { REQUEST_EXPIRY_SECONDS } from "../../src/core/node-request.js";
import type { NodeRequest, PoolNode } from "../../src/plan/inventory.js";
import { plan } from "../../src/plan/plan.js";
import { configFromYaml, seedYaml } from "../support/config-fixtures.js";
import { inventoryOf, node, readyBuild, TEST_OWNER } from "../support/plan-inventory.js";
import { actionsOf, poolPlan, providerPlan, targets } from "../support/plan-queries.js";

const NOW = 1_400_000_000;
const CURRENT = NOW - 7200;

function request(id: string, createdAt: number, overrides: Partial<NodeRequest> = {}): NodeRequest {
  return {
    provider: "hpcloud-az2",
    id,
    label: "devstack-precise",
    requester: `job-${id}`,
    createdAt,
    heartbeatAt: NOW - 5,
    ...overrides,
  };
}

const twoLabels = (maxServers: number) =>
  configFromYaml(
    seedYaml({
      minReady: 1,
      maxServers,
      extra: `  - name: other
    image: devstack-precise
    min-ready:
      hpcloud-az2: 1
`,
    }),
  );

function planWith(options: {
  minReady: number;
  maxServers: number;
  nodes?: PoolNode[];
  requests: NodeRequest[];
}) {
  const config = configFromYaml(seedYaml({ minReady: options.minReady, maxServers: options.maxServers }));
  const images = [readyBuild(config, CURRENT)];
  return plan(
    config,
    inventoryOf(NOW, { "hpcloud-az2": { images, nodes: options.nodes ?? [], requests: options.requests } }),
    TEST_OWNER,
    NOW,
  );
}

test("waiting requests boot nodes beyond min-ready, and the reason says so", () => {
  const ready = [1, 2, 3].map((i) => node(`n${i}`, CURRENT));
  const result = planWith({
    minReady: 3,
    maxServers: 10,
    nodes: ready,
    requests: [request("a", NOW - 30), request("b", NOW - 20)],
  });
  const pool = poolPlan(result);
  assert.equal(pool.requests, 2);
  // 3 ready, 2 waiting: the waiting jobs take 2 of them, so 2 more keep min-ready 3 ready.
  assert.equal(pool.deficit, 2);
  assert.equal(pool.requestDeficit, 0);
  assert.equal(pool.created, 2);
  assert.match(actionsOf(result, "create-node")[0]!.reason, /has 3 of min-ready 3 and 2 waiting requests/);
});

test("requests no ready or booting node is left for count first; capped by max-servers", () => {
  const result = planWith({
    minReady: 3,
    maxServers: 10,
    requests: Array.from({ length: 8 }, (_, i) => request(`r${i}`, NOW - 60 + i)),
  });
  const pool = poolPlan(result);
  assert.equal(pool.requestDeficit, 8);
  assert.equal(pool.deficit, 11);
  assert.equal(pool.created, 10);
  assert.equal(pool.short, 1);
  assert.equal(providerPlan(result).capacity.free, 0);
});

test("without any request the pool is exactly min-ready, as before", () => {
  const result = planWith({ minReady: 3, maxServers: 10, requests: [] });
  assert.equal(poolPlan(result).deficit, 3);
  assert.equal(poolPlan(result).requests, 0);
  assert.match(actionsOf(result, "create-node")[0]!.reason, /has 0 of min-ready 3; boots/);
});

test("a request without a heartbeat for REQUEST_EXPIRY_SECONDS is deleted and boots nothing", () => {
  const dead = request("dead", NOW - 600, { heartbeatAt: NOW - REQUEST_EXPIRY_SECONDS });
  const live = request("live", NOW - 600, { heartbeatAt: NOW - REQUEST_EXPIRY_SECONDS + 1 });
  const result = planWith({ minReady: 0, maxServers: 10, requests: [dead, live] });
  assert.equal(poolPlan(result).requests, 1);
  assert.equal(poolPlan(result).created, 1);
  assert.deepEqual(
    providerPlan(result).desired.expiredRequests.map((r) => r.id),
    ["dead"],
  );
  assert.deepEqual(targets(result, "delete-request"), ["devstack-precise job-dead"]);
  assert.match(actionsOf(result, "delete-request")[0]!.reason, /no heartbeat for 45 s/);
});

test("requests for a label with no pool here are not served (and not expired while alive)", () => {
  const result = planWith({
    minReady: 1,
    maxServers: 10,
    requests: [request("x", NOW - 10, { label: "gone" })],
  });
  assert.equal(poolPlan(result).requests, 0);
  assert.equal(poolPlan(result).created, 1);
  assert.deepEqual(targets(result, "delete-request"), []);
});

test("short of room, requests go before min-ready, in turns across labels, oldest first", () => {
  const config = twoLabels(3);
  const images = [readyBuild(config, CURRENT)];
  // devstack-precise: three requests, the oldest of all; other: one, newer.
  const requests = [
    request("p1", NOW - 50),
    request("p2", NOW - 40),
    request("p3", NOW - 30),
    request("o1", NOW - 45, { label: "other" }),
  ];
  const result = plan(config, inventoryOf(NOW, { "hpcloud-az2": { images, requests } }), TEST_OWNER, NOW);
  // Turn 1: p1 (oldest), o1; turn 2: p2. No room left for p3 or either min-ready.
  assert.equal(poolPlan(result, "devstack-precise").created, 2);
  assert.equal(poolPlan(result, "other").created, 1);
});

test("shareDemand: turns, then min-ready by largest deficit", () => {
  const demands = [
    { label: "a", minReadyDeficit: 2, requestTimes: [1, 2, 3, 4] },
    { label: "b", minReadyDeficit: 2, requestTimes: [5] },
    { label: "c", minReadyDeficit: 3, requestTimes: [] },
  ];
  assert.deepEqual(
    [...shareDemand(2, demands)],
    [
      ["a", 1],
      ["b", 1],
      ["c", 0],
    ],
  );
  assert.deepEqual(
    [...shareDemand(5, demands)],
    [
      ["a", 4],
      ["b", 1],
      ["c", 0],
    ],
  );
  assert.deepEqual(
    [...shareDemand(8, demands)],
    [
      ["a", 5],
      ["b", 2],
      ["c", 1],
    ],
  );
  assert.deepEqual(
    [...shareDemand(100, demands)],
    [
      ["a", 6],
      ["b", 3],
      ["c", 3],
    ],
  );
  assert.deepEqual(
    [...shareDemand(0, demands)],
    [
      ["a", 0],
      ["b", 0],
      ["c", 0],
    ],
  );
});

test("booting nodes on the current build serve requests; ones on a stale build do not", () => {
  const booting = (name: string) => node(name, CURRENT, { state: "building", createdAt: NOW - 5 });
  const result = planWith({
    minReady: 1,
    maxServers: 10,
    nodes: [booting("b1"), booting("b2")],
    requests: [request("a", NOW - 9), request("b", NOW - 8), request("c", NOW - 7)],
  });
  assert.equal(poolPlan(result).requestDeficit, 1);
  assert.equal(poolPlan(result).created, 2);
});
