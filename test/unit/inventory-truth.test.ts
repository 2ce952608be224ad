// Issue 12, items 2, 4 and 5: what Nova and Glance say about a server or an image must never
// make a round delete what a job, a person or an admin still has, nor what the cloud did not
// show. Each test reads a fake cloud through the real client and inventory reader, then plans.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { META } from "../../src/core/metadata.js";
import { clientsForSession, type ProviderClients } from "../../src/openstack/clients.js";
import { readInventory } from "../../src/openstack/inventory.js";
import type { Inventory, ReadableProvider } from "../../src/plan/inventory.js";
import { plan } from "../../src/plan/plan.js";
import { Session } from "../../src/openstack/session.js";
import { configFromYaml, seedYaml } from "../support/config-fixtures.js";
import {
  startFakeCloud,
  type FakeCloud,
  type FakeCloudOptions,
  type Fault,
} from "../support/openstack-fake.js";
import { currentHash, TEST_OWNER } from "../support/plan-inventory.js";
import { imagePlan, keptVersions, providerPlan, reasonFor, targets } from "../support/plan-queries.js";

const PROVIDER = "hpcloud-az2";
const HOUR = 3600;
const NOW = 1_800_000_000;
const CURRENT = NOW - 2 * HOUR;
const config = configFromYaml(seedYaml({ minReady: 1, maxServers: 40 }));

const fakes: FakeCloud[] = [];
after(() => Promise.all(fakes.map((fake) => fake.close())));

async function clientsOf(options: FakeCloudOptions): Promise<ProviderClients> {
  const fake = await startFakeCloud(options);
  fakes.push(fake);
  const session = new Session(fake.cloud(), {
    provider: PROVIDER,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  });
  return clientsForSession(session);
}

async function read(options: FakeCloudOptions): Promise<Inventory> {
  const clients = await clientsOf(options);
  return readInventory(
    { providers: [{ name: PROVIDER }] },
    { [PROVIDER]: { ok: true, value: clients } },
    NOW,
  );
}

function readable(inventory: Inventory): ReadableProvider {
  const entry = inventory.providers[PROVIDER]!;
  assert.ok(entry.readable, `expected ${PROVIDER} readable, got: ${entry.readable ? "" : entry.error}`);
  return entry;
}

/** [version, state] of each build, oldest first: the order of Glance's lists does not matter. */
const buildStates = (provider: ReadableProvider) =>
  provider.images.map((b) => [b.version, b.state]).sort(([a], [b]) => Number(a) - Number(b));

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** A snapshot as Glance lists it, with nodepool's properties. */
const glanceImage = (version: number, status = "active", hidden = false) => ({
  id: `img-${version}`,
  name: `devstack-precise-${version}`,
  status,
  os_hidden: hidden,
  created_at: iso(version + 2700),
  [META.kind]: "image",
  [META.provider]: PROVIDER,
  [META.image]: "devstack-precise",
  [META.version]: String(version),
  [META.createdAt]: String(version + 2700),
  [META.definitionHash]: currentHash(config, "devstack-precise", PROVIDER),
});

const nodeMeta = (state?: string) => ({
  [META.kind]: "node",
  [META.provider]: PROVIDER,
  [META.label]: "devstack-precise",
  [META.version]: String(CURRENT),
  [META.stack]: TEST_OWNER,
  ...(state ? { [META.state]: state } : {}),
});

const novaServer = (id: string, status: string, metadata: Record<string, string>) => ({
  id,
  name: id,
  status,
  created: iso(CURRENT + HOUR),
  metadata,
  addresses: {},
  image: { id: `img-${CURRENT}` },
  flavor: {},
});

describe("item 2: in-use and held nodes are never deleted, whatever Nova's status", () => {
  // What a job (reboot), an admin (live migration, resize) or a broken host does to a server.
  const statuses = ["REBOOT", "HARD_REBOOT", "MIGRATING", "RESIZE", "VERIFY_RESIZE", "SHUTOFF", "ERROR"];

  it("item 2: in-use and held nodes in REBOOT, MIGRATING, RESIZE, SHUTOFF or ERROR stay, and the inventory keeps Nova's status", async () => {
    const servers = statuses.flatMap((status) => [
      novaServer(`job-${status}`, status, nodeMeta("in-use")),
      novaServer(`held-${status}`, status, nodeMeta("hold")),
    ]);
    const inventory = await read({ images: [glanceImage(CURRENT)], servers });
    const nodes = readable(inventory).nodes;
    assert.deepEqual(
      nodes.map((n) => [n.name, n.state, n.serverStatus]),
      statuses.flatMap((status) => [
        [`job-${status}`, "in-use", status],
        [`held-${status}`, "hold", status],
      ]),
    );
    const result = plan(config, inventory, TEST_OWNER, NOW);
    assert.deepEqual(targets(result, "delete-node"), []);
    assert.deepEqual(
      providerPlan(result)
        .desired.nodes.map((n) => n.name)
        .sort(),
      servers.map((s) => s.id).sort(),
    );
  });

  it("item 2: a node nobody has that Nova reports broken is still deleted, and the reason names Nova's status", async () => {
    const inventory = await read({
      images: [glanceImage(CURRENT)],
      servers: [novaServer("broken", "ERROR", nodeMeta()), novaServer("off", "SHUTOFF", nodeMeta())],
    });
    const result = plan(config, inventory, TEST_OWNER, NOW);
    assert.deepEqual(targets(result, "delete-node"), ["broken", "off"]);
    assert.equal(reasonFor(result, "delete-node", "broken"), "the server failed (Nova: ERROR)");
    assert.equal(reasonFor(result, "delete-node", "off"), "the server failed (Nova: SHUTOFF)");
  });

  it("issue 15, item 3: Nova's fault message is kept in the reason, for a node and for a template server", async () => {
    const fault = {
      code: 500,
      message: "No valid host was found. There are not enough hosts available.\nTraceback…",
    };
    const templateMeta = {
      [META.kind]: "template",
      [META.provider]: PROVIDER,
      [META.image]: "devstack-precise",
      [META.version]: String(NOW - 600),
      [META.stack]: TEST_OWNER,
    };
    const inventory = await read({
      images: [glanceImage(CURRENT)],
      servers: [
        { ...novaServer("broken", "ERROR", nodeMeta()), fault },
        { ...novaServer("tmpl", "ERROR", templateMeta), fault },
      ],
    });
    const provider = inventory.providers[PROVIDER]!;
    assert.ok(provider.readable);
    assert.equal(provider.nodes[0]!.fault, "No valid host was found. There are not enough hosts available.");
    const result = plan(config, inventory, TEST_OWNER, NOW);
    assert.equal(
      reasonFor(result, "delete-node", "broken"),
      "the server failed (Nova: ERROR: No valid host was found. There are not enough hosts available.)",
    );
    assert.equal(
      reasonFor(result, "delete-template", `devstack-precise ${NOW - 600}`),
      "template server failed (Nova: No valid host was found. There are not enough hosts available.)",
    );
  });
});

describe("item 4: a partial server list makes the provider unreadable", () => {
  /**
   * How Nova ≥ 2.69 lists a server of a cell that did not answer in GET /servers/detail: only
   * these keys (nova/api/openstack/compute/views/servers.py, _show_from_down_cell).
   */
  const fromDownCell = (id: string) => ({
    id,
    status: "UNKNOWN",
    tenant_id: "p1",
    created: iso(CURRENT + HOUR),
    links: [],
  });

  it("item 4: servers listed as UNKNOWN without metadata make the provider unreadable, naming them; nothing is planned there", async () => {
    const inventory = await read({
      images: [glanceImage(CURRENT)],
      servers: [
        novaServer("seen", "ACTIVE", nodeMeta()),
        novaServer("stranger", "ACTIVE", {}),
        fromDownCell("c0ffee01"),
        fromDownCell("c0ffee02"),
      ],
    });
    const entry = inventory.providers[PROVIDER]!;
    assert.equal(entry.readable, false);
    assert.match(entry.readable ? "" : entry.error, /^hpcloud-az2: .*UNKNOWN.*: c0ffee01, c0ffee02/);
    const result = plan(config, inventory, TEST_OWNER, NOW);
    assert.deepEqual(result.providers, []);
    assert.deepEqual(
      result.unreadable.map((u) => u.provider),
      [PROVIDER],
    );
  });

  it("item 4: the inventory lists servers without paging parameters, the one list where Nova shows a down cell's servers", async () => {
    const healthy = [novaServer("seen", "ACTIVE", nodeMeta())];
    const downCell = [fromDownCell("c0ffee01")];
    // Nova's _is_cell_down_supported: any paging, sorting or filter parameter, and the down
    // cells' servers are left out of the list without a word.
    const nova: FakeCloudOptions["fault"] = (request): Fault | undefined =>
      request.method === "GET" && request.path === "/compute/v2.1/servers/detail"
        ? {
            status: 200,
            body: { servers: [...request.query].length > 0 ? healthy : [...downCell, ...healthy] },
          }
        : undefined;
    const inventory = await read({ images: [glanceImage(CURRENT)], fault: nova });
    const entry = inventory.providers[PROVIDER]!;
    assert.equal(entry.readable, false, "a list with a down cell's servers left out was read as complete");
    assert.match(entry.readable ? "" : entry.error, /: c0ffee01$/);
  });

  it("item 4: a long partial list names its first 20 servers and counts the others", async () => {
    const ids = Array.from({ length: 23 }, (_, n) => `lost-${String(n).padStart(2, "0")}`);
    const inventory = await read({ images: [glanceImage(CURRENT)], servers: ids.map(fromDownCell) });
    const entry = inventory.providers[PROVIDER]!;
    assert.ok(!entry.readable, "a partial list must not be read as complete");
    assert.ok(entry.error.includes("Nova listed 23 server(s)"), entry.error);
    assert.ok(entry.error.endsWith(`${ids.slice(0, 20).join(", ")}, and 3 more`), entry.error);
  });

  it("item 4: a node of ours in status UNKNOWN cannot be judged either: the provider is unreadable", async () => {
    const inventory = await read({
      images: [glanceImage(CURRENT)],
      servers: [novaServer("unsure", "UNKNOWN", nodeMeta())],
    });
    const entry = inventory.providers[PROVIDER]!;
    assert.equal(entry.readable, false);
    assert.match(entry.readable ? "" : entry.error, /: unsure$/);
  });

  it("item 4: servers that are simply not ours (no nodepool metadata) keep the provider readable", async () => {
    const inventory = await read({
      images: [glanceImage(CURRENT)],
      servers: [novaServer("stranger", "ACTIVE", {}), novaServer("stranger-off", "SHUTOFF", { owner: "ci" })],
    });
    assert.deepEqual(readable(inventory).nodes, []);
  });
});

describe("item 5: hidden and deactivated images are kept", () => {
  /**
   * Glance's listing (API ≥ 2.7): images with os_hidden=true are left out unless asked for
   * alone with os_hidden=true. `beforeList(n)` runs before the n-th image list request is
   * answered (an operator acting while the inventory is read).
   */
  function glanceListing(
    images: Record<string, unknown>[],
    beforeList: (n: number) => void = () => {},
  ): FakeCloudOptions["fault"] {
    let lists = 0;
    return (request): Fault | undefined => {
      if (request.method !== "GET" || request.path !== "/image/v2/images") return undefined;
      beforeList(++lists);
      const hidden = request.query.get("os_hidden") === "true";
      const filters = [...request.query].filter(([key]) => !["limit", "marker", "os_hidden"].includes(key));
      const matching = images.filter(
        (image) => image.os_hidden === hidden && filters.every(([key, value]) => image[key] === value),
      );
      return { status: 200, body: { images: matching } };
    };
  }

  it("item 5: a current snapshot an operator hid is read, stays current and is kept", async () => {
    const older = CURRENT - 26 * HOUR;
    const images = [glanceImage(older), glanceImage(CURRENT, "active", true)];
    const inventory = await read({ fault: glanceListing(images) });
    assert.deepEqual(buildStates(readable(inventory)), [
      [older, "ready"],
      [CURRENT, "ready"],
    ]);
    const result = plan(config, inventory, TEST_OWNER, NOW);
    assert.equal(imagePlan(result).currentVersion, CURRENT);
    assert.deepEqual(keptVersions(result), [older, CURRENT]);
    assert.deepEqual(targets(result, "delete-image"), []);
  });

  it("item 5: an image an operator hides or unhides while the inventory is read is still seen", async () => {
    for (const startsHidden of [false, true])
      for (const flipBefore of [1, 2, 3]) {
        const image = glanceImage(CURRENT, "active", startsHidden);
        const flip = (n: number) => {
          if (n === flipBefore) image.os_hidden = !image.os_hidden;
        };
        const inventory = await read({ fault: glanceListing([image], flip) });
        assert.deepEqual(
          readable(inventory).images.map((b) => b.version),
          [CURRENT],
          `hidden at first: ${startsHidden}, flipped before list request ${flipBefore}`,
        );
      }
  });

  it("item 5: deactivated builds are never current and never deleted by retention, even past keep or rejected", async () => {
    const versions = [40, 30, 20, 10, 1].map((hoursAgo) => NOW - hoursAgo * HOUR);
    const [oldest, older, previous, newestActive, newest] = versions as [
      number,
      number,
      number,
      number,
      number,
    ];
    const images = [
      glanceImage(oldest, "deactivated"),
      glanceImage(older),
      glanceImage(previous),
      glanceImage(newestActive),
      glanceImage(newest, "deactivated"),
    ];
    const inventory = await read({ images });
    assert.deepEqual(buildStates(readable(inventory)), [
      [oldest, "deactivated"],
      [older, "ready"],
      [previous, "ready"],
      [newestActive, "ready"],
      [newest, "deactivated"],
    ]);
    const rejecting = configFromYaml(
      seedYaml({
        minReady: 1,
        maxServers: 40,
        extra: `rejected:\n  devstack-precise:\n    ${PROVIDER}: [${oldest}]\n`,
      }),
    );
    const result = plan(rejecting, inventory, TEST_OWNER, NOW);
    assert.equal(imagePlan(result).currentVersion, newestActive);
    assert.equal(imagePlan(result).previousVersion, previous);
    // keep 2: the older active build goes; both deactivated ones stay, the rejected one too.
    assert.deepEqual(targets(result, "delete-image"), [`devstack-precise ${older}`]);
    assert.deepEqual(keptVersions(result), [oldest, previous, newestActive, newest]);
    const reasons = (version: number) => imagePlan(result).kept.find((k) => k.version === version)?.reasons;
    assert.deepEqual(reasons(oldest), ["deactivated"]);
    assert.deepEqual(reasons(newest), ["deactivated"]);
  });
});
