// The client against the local OpenStack: both auth methods, pagination, property filters,
// server metadata and snapshots, Neutron's revision check, unreachable and refused clouds.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { META } from "../../src/core/metadata.js";
import { openProvider } from "../../src/openstack/clients.js";
import { formatOpenStackError } from "../../src/openstack/errors.js";
import { fileTokenCache } from "../../src/openstack/token-cache.js";
import {
  cleanUp,
  closedPort,
  cloudsFileWith,
  createBuildImage,
  localCloudProblem,
  must,
  open,
  removeCloudsFile,
  RUN,
  waitForServer,
  withAuth,
} from "../support/openstack-cloud.js";

const WRONG_PASSWORD = `${RUN}-wrong-password`;
let cloudsFile = "";
let deadPort = 0;

before(async () => {
  const problem = await localCloudProblem();
  if (problem) assert.fail(problem);
  deadPort = await closedPort();
  cloudsFile = cloudsFileWith({
    "dead-keystone": withAuth("rax-iad", { auth_url: `http://127.0.0.1:${deadPort}/v3` }),
    "wrong-password": withAuth("rax-iad", { password: WRONG_PASSWORD }),
  });
});

after(async () => {
  await cleanUp(["hpcloud-az2", "rax-iad"]);
  if (cloudsFile) removeCloudsFile(cloudsFile);
});

const withClouds = (file: string) => ({
  sources: { env: { OS_CLIENT_CONFIG_FILE: file }, cwd: "/", home: "/nonexistent", readFile: readIfExists },
});

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

describe("authentication", () => {
  it("password and application credential reach the same project", async () => {
    const password = open("hpcloud-az2");
    const appcred = open("hpcloud-az2-appcred", "hpcloud-az2");
    assert.equal(password.session.cloud.auth.type, "password");
    assert.equal(appcred.session.cloud.auth.type, "application_credential");
    const image = await createBuildImage(password, {
      provider: "hpcloud-az2",
      image: "auth-check",
      version: 1,
      createdAt: 1,
    });
    const seen = must(await appcred.glance.listImages({ filters: { nodepool_test_run: RUN } }));
    assert.deepEqual(
      seen.map((i) => i.id),
      [image.id],
    );
    const passwordToken = must(await password.session.currentToken());
    const appcredToken = must(await appcred.session.currentToken());
    assert.equal(passwordToken.projectId, appcredToken.projectId);
    assert.ok(appcredToken.expiresAtMs > Date.now());
  });

  it("reuses one token for many calls", async () => {
    // No token cache: the one token is this session's own.
    const clients = must(openProvider({ name: "rax-iad", cloud: "rax-iad" }, { tokenCache: undefined }));
    await Promise.all([clients.glance.listImages(), clients.nova.listServers(), clients.neutron.listPorts()]);
    await clients.glance.listImages();
    assert.equal(clients.session.requestCounts.identity, 1);
  });

  it("shares a token through the cache: a second process's session asks Keystone for none", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nodepool-tokens-"));
    try {
      const cache = fileTokenCache(dir);
      const first = must(openProvider({ name: "rax-iad", cloud: "rax-iad" }, { tokenCache: cache }));
      must(await first.nova.listServers());
      const second = must(openProvider({ name: "rax-iad", cloud: "rax-iad" }, { tokenCache: cache }));
      must(await second.nova.listServers());
      assert.equal(first.session.requestCounts.identity, 1);
      assert.equal(second.session.requestCounts.identity ?? 0, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("wrong credentials: an auth error naming the provider, without the password", async () => {
    const clients = openProvider({ name: "rax-iad", cloud: "wrong-password" }, withClouds(cloudsFile));
    assert.ok(clients.ok);
    const listed = await clients.value.glance.listImages();
    assert.ok(!listed.ok);
    assert.equal(listed.error.kind, "auth");
    const text = formatOpenStackError(listed.error);
    assert.match(
      text,
      /^rax-iad: POST http:\/\/127\.0\.0\.1:5000\/v3\/auth\/tokens: 401 Unauthorized: Keystone refused/,
    );
    assert.ok(!text.includes(WRONG_PASSWORD) && !JSON.stringify(listed.error).includes(WRONG_PASSWORD));
  });

  it("a Keystone that is not there: a network error after the retries, naming the provider", async () => {
    const clients = openProvider({ name: "ovh-gra1", cloud: "dead-keystone" }, withClouds(cloudsFile));
    assert.ok(clients.ok);
    const listed = await clients.value.nova.listServers();
    assert.ok(!listed.ok);
    assert.equal(listed.error.kind, "network");
    assert.equal(
      formatOpenStackError(listed.error),
      `ovh-gra1: POST http://127.0.0.1:${deadPort}/v3/auth/tokens: cannot connect (ECONNREFUSED) (after 4 attempts)`,
    );
  });
});

describe("Glance", () => {
  it("lists more images than a page holds, one request per page, filtered on our properties", async () => {
    const clients = open("rax-iad");
    const made = [];
    for (let version = 100; version < 107; version++) {
      made.push(
        await createBuildImage(clients, { provider: "rax-iad", image: "paged", version, createdAt: version }),
      );
    }
    const before = clients.session.requestCounts.image ?? 0;
    const listed = must(
      await clients.glance.listImages({
        filters: { nodepool_test_run: RUN, [META.image]: "paged" },
        pageSize: 2,
      }),
    );
    assert.deepEqual(listed.map((i) => i.id).sort(), made.map((i) => i.id).sort());
    const pages = (clients.session.requestCounts.image ?? 0) - before;
    assert.ok(pages === 4 || pages === 5, `7 images in pages of 2 took ${pages} requests`);
    const none = must(
      await clients.glance.listImages({ filters: { nodepool_test_run: RUN, [META.image]: "other" } }),
    );
    assert.deepEqual(none, []);
  });

  it("updates properties with a JSON-patch and deletes (a second delete finds nothing)", async () => {
    const clients = open("rax-iad");
    const image = await createBuildImage(clients, {
      provider: "rax-iad",
      image: "patched",
      version: 5,
      createdAt: 5,
    });
    const updated = must(
      await clients.glance.updateImageProperties(image.id, { [META.version]: "6", [META.hostname]: "h" }),
    );
    assert.equal(updated[META.version], "6");
    assert.equal(updated[META.hostname], "h");
    const removed = must(await clients.glance.updateImageProperties(image.id, {}, [META.hostname]));
    assert.equal(removed[META.hostname], undefined);
    assert.equal(must(await clients.glance.showImage(image.id))?.status, "active");
    assert.equal(must(await clients.glance.deleteImage(image.id)), true);
    assert.equal(must(await clients.glance.deleteImage(image.id)), false);
    assert.equal(must(await clients.glance.showImage(image.id)), undefined);
  });
});

describe("Nova and Neutron", () => {
  it("creates servers, lists them page by page, merges metadata, snapshots and deletes", async () => {
    const clients = open("rax-iad");
    const flavor = must(await clients.nova.findFlavorByName("m1.nodepool"));
    const base = must(await clients.glance.findImagesByName("ubuntu-precise"))[0];
    assert.ok(flavor && base, "the local cloud has flavor m1.nodepool and image ubuntu-precise");
    const ids = [];
    for (let n = 1; n <= 3; n++) {
      ids.push(
        must(
          await clients.nova.createServer({
            name: `${RUN}-server-${n}`,
            imageRef: base.id,
            flavorRef: flavor.id,
            networks: "none",
            metadata: { [META.kind]: "node", nodepool_test_run: RUN },
          }),
        ),
      );
    }
    const statuses = await Promise.all(ids.map((id) => waitForServer(clients, id)));
    assert.deepEqual(statuses, ["ACTIVE", "ACTIVE", "ACTIVE"]);

    const before = clients.session.requestCounts.compute ?? 0;
    const listed = must(await clients.nova.listServers({ nameRegex: `^${RUN}-server-`, pageSize: 1 }));
    assert.deepEqual(listed.map((s) => s.id).sort(), [...ids].sort());
    const pages = (clients.session.requestCounts.compute ?? 0) - before;
    assert.ok(pages === 3 || pages === 4, `3 servers in pages of 1 took ${pages} requests`);
    assert.equal(listed[0]!.flavor.original_name, "m1.nodepool", "microversion 2.47+ embeds the flavor");

    const merged = must(await clients.nova.setServerMetadata(ids[0]!, { [META.state]: "hold" }));
    assert.deepEqual(merged, { [META.kind]: "node", nodepool_test_run: RUN, [META.state]: "hold" });

    const snapshotId = must(
      await clients.nova.createServerImage(ids[0]!, `${RUN}-snapshot`, {
        nodepool_test_run: RUN,
        [META.kind]: "image",
      }),
    );
    const snapshot = must(await clients.glance.showImage(snapshotId));
    assert.equal(snapshot?.nodepool_test_run, RUN, "createImage metadata becomes image properties");

    assert.deepEqual(must(await clients.neutron.listPorts({ deviceId: ids[0]! })), []);
    assert.equal(must(await clients.nova.deleteServer(ids[1]!)), true);
    assert.equal(must(await clients.nova.showServer(`${ids[1]}-not-a-server`)), undefined);
  });

  it("updates a port only at the expected revision: a stale one is a conflict value", async () => {
    const clients = open("rax-iad");
    const network = await clients.session.request("network", {
      method: "POST",
      path: "/v2.0/networks",
      json: { network: { name: `${RUN}-net` } },
    });
    const networkId = (JSON.parse(must(network).text) as { network: { id: string } }).network.id;
    try {
      const created = await clients.session.request("network", {
        method: "POST",
        path: "/v2.0/ports",
        json: { port: { network_id: networkId, name: `${RUN}-port` } },
      });
      const port = (JSON.parse(must(created).text) as { port: { id: string; revision_number: number } }).port;
      const won = must(
        await clients.neutron.updatePortIfRevision(
          port.id,
          { description: "claimed by A" },
          port.revision_number,
        ),
      );
      assert.ok(won.revision_number > port.revision_number);
      const lost = await clients.neutron.updatePortIfRevision(
        port.id,
        { description: "claimed by B" },
        port.revision_number,
      );
      assert.ok(!lost.ok);
      assert.equal(lost.error.kind, "conflict");
      assert.equal(must(await clients.neutron.showPort(port.id))?.description, "claimed by A");
      assert.equal(must(await clients.neutron.findNetworkByName(`${RUN}-net`))?.id, networkId);
    } finally {
      await clients.session.request("network", { method: "DELETE", path: `/v2.0/networks/${networkId}` });
    }
  });
});
