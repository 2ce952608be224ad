// Issue 12, item 8 on the local OpenStack: a runner whose clock is 2 h fast reads the real
// Nova and plans; the node it booted a moment ago is neither "past max-ready-age" nor "past
// launch-timeout", because its age is judged on the cloud's clock (every answer's Date).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { META } from "../../src/core/metadata.js";
import { openProvider, type ProviderClients } from "../../src/openstack/clients.js";
import { readInventory } from "../../src/openstack/inventory.js";
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
import { currentHash, TEST_OWNER } from "../support/plan-inventory.js";

const CLOUD = "ovh-gra1";
const PROVIDER = `${RUN}-clocks`;
const SKEW_SECONDS = 2 * 3600;
const config = configFromYaml(`
providers:
  - name: ${PROVIDER}
    cloud: ${CLOUD}
    max-servers: 5
    flavor: m1.tiny
    launch-timeout: 1h
images:
  - name: devstack-precise
    base-image: ubuntu-precise
    setup: setup/prepare_devstack.sh
    rebuild-age: 24h
    providers: [${PROVIDER}]
labels:
  - name: devstack-precise
    image: devstack-precise
    min-ready: { ${PROVIDER}: 1 }
    max-ready-age: 1h
`);

let clients: ProviderClients;

before(async () => {
  const problem = await localCloudProblem();
  if (problem) assert.fail(problem);
  clients = open(CLOUD);
});

after(() => cleanUp([CLOUD]));

describe("clocks on the local cloud (issue 12, item 8)", () => {
  it("clocks: a runner 2 h fast replaces no node booted a minute ago", async () => {
    const version = Math.floor(Date.now() / 1000) - 600;
    await createBuildImage(
      clients,
      { provider: PROVIDER, image: "devstack-precise", version, createdAt: version + 60 },
      { [META.definitionHash]: currentHash(config, "devstack-precise", PROVIDER) },
    );
    const [base] = must(await clients.glance.findImagesByName("ubuntu-precise"));
    const flavor = must(await clients.nova.findFlavorByName("m1.tiny"));
    assert.ok(base && flavor);
    const id = must(
      await clients.nova.createServer({
        name: `${RUN}-clock-node`,
        imageRef: base.id,
        flavorRef: flavor.id,
        networks: "none",
        metadata: {
          [META.kind]: "node",
          [META.provider]: PROVIDER,
          [META.label]: "devstack-precise",
          [META.version]: String(version),
        },
      }),
    );
    assert.equal(await waitForServer(clients, id), "ACTIVE");

    // This runner's clock: two hours ahead of the cloud's (and of the machine's).
    const fastNow = () => Date.now() + SKEW_SECONDS * 1000;
    const fast = openProvider({ name: PROVIDER, cloud: CLOUD }, { now: fastNow });
    assert.ok(fast.ok);
    const now = Math.floor(fastNow() / 1000);
    const inventory = await readInventory(config, { [PROVIDER]: fast }, now);
    const read = inventory.providers[PROVIDER];
    assert.ok(read?.readable, JSON.stringify(read));
    const offset = fast.value.session.clockOffsetMs;
    assert.ok(offset !== undefined && Math.abs(offset + SKEW_SECONDS * 1000) < 5000, `offset ${offset}`);

    const node = read.nodes.find((n) => n.serverId === id);
    assert.ok(node);
    assert.ok(now - node.createdAt < 300, `age on the runner's clock: ${now - node.createdAt} s`);
    const actions = plan(config, inventory, TEST_OWNER, now).providers[0]!.actions;
    assert.deepEqual(
      actions.filter((a) => a.kind === "delete-node").map((a) => `${a.target}: ${a.reason}`),
      [],
    );
  });
});
