// Issue 12, items 2, 4 and 5 on the local OpenStack: states set through the real APIs (an
// in-use node powered off, a held node reset to ERROR, a current snapshot hidden, builds
// deactivated) or a real Nova API to which a cell is down, read by the real inventory reader
// and planned: nothing a job, a person or an admin has, nor anything unseen, is deleted. The provider is named after the run, so other runs' items in the project never count.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { META } from "../../src/core/metadata.js";
import { openProvider, type ProviderClients } from "../../src/openstack/clients.js";
import { readInventory } from "../../src/openstack/inventory.js";
import type { Inventory, ReadableProvider } from "../../src/plan/inventory.js";
import { plan } from "../../src/plan/plan.js";
import { configFromYaml } from "../support/config-fixtures.js";
import {
  cleanUp,
  createBuildImage,
  localCloudProblem,
  must,
  open,
  RUN,
  waitForServer,
} from "../support/openstack-cloud.js";
import {
  resetServerToError,
  setImageDeactivated,
  setImageHidden,
  stopServer,
} from "../support/operator-actions.js";
import { startDownCellApi, stopDownCellApi, withNovaAt } from "../support/down-cell.js";
import { currentHash, TEST_OWNER } from "../support/plan-inventory.js";
import { imagePlan, keptVersions, providerPlan, targets } from "../support/plan-queries.js";

const CLOUD = "ovh-gra1";
/** One provider per item, so one item's builds never meet the other's. */
const NODES = `${RUN}-nodes`;
const IMAGES = `${RUN}-images`;
const CELLS = `${RUN}-cells`;
const HOUR = 3600;
const NOW = Math.floor(Date.now() / 1000);
const CURRENT = NOW - 2 * HOUR;

const configFor = (provider: string) =>
  configFromYaml(`
providers:
  - name: ${provider}
    cloud: ${CLOUD}
    max-servers: 20
    flavor: m1.tiny
images:
  - name: devstack-precise
    base-image: ubuntu-precise
    setup: setup/prepare_devstack.sh
    rebuild-age: 24h
    keep: 2
    providers: [${provider}]
labels:
  - name: devstack-precise
    image: devstack-precise
    min-ready: { ${provider}: 1 }
`);

let clients: ProviderClients;
let admin: ProviderClients;
/** Images this run hid (the shared clean-up does not list them) or deactivated. */
const altered: string[] = [];

before(async () => {
  const problem = await localCloudProblem();
  if (problem) assert.fail(problem);
  clients = open(CLOUD);
  admin = open("admin");
});

after(async () => {
  if (clients) {
    for (const id of altered) {
      await setImageDeactivated(clients, id, false).catch(() => undefined);
      await clients.glance.deleteImage(id);
    }
  }
  await cleanUp([CLOUD]);
});

async function readProvider(
  provider: string,
  adapt: (clients: ProviderClients) => ProviderClients = (same) => same,
): Promise<Inventory> {
  const opened = openProvider({ name: provider, cloud: CLOUD });
  const clients = opened.ok ? { ok: true as const, value: adapt(opened.value) } : opened;
  return readInventory({ providers: [{ name: provider }] }, { [provider]: clients }, NOW);
}

function readable(inventory: Inventory, provider: string): ReadableProvider {
  const entry = inventory.providers[provider]!;
  assert.ok(entry.readable, `expected ${provider} readable, got: ${entry.readable ? "" : entry.error}`);
  return entry;
}

const build = (provider: string, version: number) =>
  createBuildImage(
    clients,
    { provider, image: "devstack-precise", version, createdAt: version + 600 },
    { [META.definitionHash]: currentHash(configFor(provider), "devstack-precise", provider) },
  );

async function bootNode(name: string, state: string, provider = NODES): Promise<string> {
  const [base] = must(await clients.glance.findImagesByName("ubuntu-precise"));
  const flavor = must(await clients.nova.findFlavorByName("m1.tiny"));
  assert.ok(base && flavor, "the local cloud has ubuntu-precise and m1.tiny");
  const id = must(
    await clients.nova.createServer({
      name: `${RUN}-${name}`,
      imageRef: base.id,
      flavorRef: flavor.id,
      networks: "none",
      metadata: {
        [META.kind]: "node",
        [META.provider]: provider,
        [META.label]: "devstack-precise",
        [META.version]: String(CURRENT),
        [META.state]: state,
        [META.stack]: TEST_OWNER,
      },
    }),
  );
  assert.equal(await waitForServer(clients, id), "ACTIVE");
  return id;
}

describe("item 2 on the local cloud: in-use and held nodes are never deleted, whatever Nova's status", () => {
  it("item 2: an in-use node powered off (SHUTOFF) and a held node reset to ERROR are kept, Nova's status reported", async () => {
    await build(NODES, CURRENT);
    const [job, held] = await Promise.all([bootNode("job", "in-use"), bootNode("held", "hold")]);
    await Promise.all([stopServer(clients, job), resetServerToError(admin, held)]);

    const inventory = await readProvider(NODES);
    assert.deepEqual(
      readable(inventory, NODES)
        .nodes.map((n) => [n.serverId, n.state, n.serverStatus])
        .sort(),
      [
        [job, "in-use", "SHUTOFF"],
        [held, "hold", "ERROR"],
      ].sort(),
    );
    const result = plan(configFor(NODES), inventory, TEST_OWNER, NOW);
    assert.deepEqual(targets(result, "delete-node", NODES), []);
    assert.deepEqual(
      providerPlan(result, NODES)
        .desired.nodes.map((n) => n.serverId)
        .sort(),
      [job, held].sort(),
    );
  });
});

describe("item 5 on the local cloud: hidden and deactivated images are kept", () => {
  it("item 5: a hidden current snapshot stays current; deactivated builds are kept, never current", async () => {
    const [oldDeactivated, old, previous, hidden, newDeactivated] = [60, 50, 26, 2, 1].map(
      (hoursAgo) => NOW - hoursAgo * HOUR,
    ) as [number, number, number, number, number];
    const images = await Promise.all(
      [oldDeactivated, old, previous, hidden, newDeactivated].map((v) => build(IMAGES, v)),
    );
    const idOf = (version: number) => images.find((i) => i[META.version] === String(version))!.id;
    altered.push(idOf(hidden), idOf(oldDeactivated), idOf(newDeactivated));
    await setImageHidden(clients, idOf(hidden), true);
    await setImageDeactivated(clients, idOf(oldDeactivated), true);
    await setImageDeactivated(clients, idOf(newDeactivated), true);

    // Glance itself: a default listing leaves the hidden image out, and shows the deactivated.
    const listed = must(await clients.glance.listImages({ filters: { [META.provider]: IMAGES } }));
    assert.deepEqual(
      listed.map((i) => [i[META.version], i.status]).sort(),
      [
        [String(oldDeactivated), "deactivated"],
        [String(old), "active"],
        [String(previous), "active"],
        [String(newDeactivated), "deactivated"],
      ].sort(),
    );

    const inventory = await readProvider(IMAGES);
    assert.deepEqual(
      readable(inventory, IMAGES)
        .images.map((b) => [b.version, b.state])
        .sort(([a], [b]) => Number(a) - Number(b)),
      [
        [oldDeactivated, "deactivated"],
        [old, "ready"],
        [previous, "ready"],
        [hidden, "ready"],
        [newDeactivated, "deactivated"],
      ],
    );
    const result = plan(configFor(IMAGES), inventory, TEST_OWNER, NOW);
    assert.equal(imagePlan(result, "devstack-precise", IMAGES).currentVersion, hidden);
    assert.equal(imagePlan(result, "devstack-precise", IMAGES).previousVersion, previous);
    // keep 2: only the older active build goes.
    assert.deepEqual(targets(result, "delete-image", IMAGES), [`devstack-precise ${old}`]);
    assert.deepEqual(keptVersions(result, "devstack-precise", IMAGES), [
      oldDeactivated,
      previous,
      hidden,
      newDeactivated,
    ]);
  });
});

describe("item 4 on the local cloud: a partial server list makes the provider unreadable", () => {
  const downCell = `${RUN}-down`;
  after(() => stopDownCellApi(downCell));

  it("item 4: with a cell down, Nova lists our node as UNKNOWN without metadata; the provider is unreadable, naming it", async () => {
    await build(CELLS, CURRENT);
    const node = await bootNode("cell-node", "ready", CELLS);
    // Through the real API first: the node is there and ours.
    assert.deepEqual(
      readable(await readProvider(CELLS), CELLS).nodes.map((n) => [n.serverId, n.state]),
      [[node, "ready"]],
    );

    const nova = await startDownCellApi(downCell);
    // Nova itself: a paged list (limit, marker, sort or filter) leaves the down cell's servers
    // out without a word; only an unpaged one shows them, as UNKNOWN without metadata.
    const downCellNova = withNovaAt(clients, nova).nova;
    const paged = must(await downCellNova.listServers({ pageSize: 1000 }));
    assert.equal(
      paged.some((server) => server.id === node),
      false,
      "Nova with a down cell leaves its servers out of a paged list",
    );
    const partial = must(await downCellNova.listEveryServer()).find((server) => server.id === node);
    assert.equal(partial?.status, "UNKNOWN", "an unpaged list shows a down cell's servers as UNKNOWN");
    assert.equal(partial && "metadata" in partial, false, "... without metadata");

    const inventory = await readProvider(CELLS, (opened) => withNovaAt(opened, nova));
    const entry = inventory.providers[CELLS]!;
    assert.equal(entry.readable, false, "a partial list must not be read as complete");
    assert.match(entry.readable ? "" : entry.error, new RegExp(`^${CELLS}: Nova listed .*UNKNOWN.*${node}`));
    const result = plan(configFor(CELLS), inventory, TEST_OWNER, NOW);
    assert.deepEqual(result.providers, []);
    assert.deepEqual(
      result.unreadable.map((u) => u.provider),
      [CELLS],
    );
  });
});
