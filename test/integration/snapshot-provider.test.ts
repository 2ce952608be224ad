// The snapshot dynamic provider's create, diff and delete, against the local OpenStack. Nova's
// plain fake driver uploads no snapshot data; the local cloud's compute driver
// (scripts/cloud/py/nodepool_cloud/fake_compute.py) does, as a compute host would, and powers
// a template server off when its setup "ran". The last test runs the provider the way
// Pulumi's dynamic-provider process does: serialized to text and loaded back.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { resolveCloud, processCloudSources, type CloudConfig } from "../../src/openstack/clouds-config.js";
import type { ProviderClients } from "../../src/openstack/clients.js";
import { snapshotProvider } from "../../src/pulumi/snapshot/snapshot-provider.js";
import type { SnapshotInputs, SnapshotOutputs } from "../../src/pulumi/snapshot/snapshot-steps.js";
import { cleanUp, localCloudProblem, must, open, RUN, waitForServer } from "../support/openstack-cloud.js";

const CLOUD = "hpcloud-az2";
describe("the snapshot provider on the local OpenStack", () => {
  let clients: ProviderClients;
  let cloud: CloudConfig;

  // Fails, as every integration test does, when the local cloud is missing: skipping would
  // hide a broken cloud start in CI.
  before(async () => {
    const problem = await localCloudProblem();
    if (problem) assert.fail(problem);
    clients = open(CLOUD);
    const resolved = resolveCloud(CLOUD, processCloudSources());
    assert.ok(resolved.ok);
    cloud = resolved.value;
  });
  after(() => cleanUp([CLOUD]));

  async function templateServer(
    name: string,
    stopped: boolean,
    metadata: Record<string, string> = {},
  ): Promise<string> {
    const image = must(await clients.glance.findImagesByName("ubuntu-precise"))[0]!;
    const flavor = must(await clients.nova.findFlavorByName("m1.nodepool"))!;
    const id = must(
      await clients.nova.createServer({
        name: `${RUN}-${name}`,
        imageRef: image.id,
        flavorRef: flavor.id,
        networks: "none",
        metadata,
      }),
    );
    assert.equal(await waitForServer(clients, id), "ACTIVE");
    if (stopped) {
      // What the setup script's `poweroff` does to a real server.
      must(
        await clients.session.request("compute", {
          method: "POST",
          path: `/servers/${id}/action`,
          json: { "os-stop": null },
        }),
      );
      for (let i = 0; i < 60 && must(await clients.nova.showServer(id))?.status !== "SHUTOFF"; i++) {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    return id;
  }

  function inputs(
    serverId: string,
    version: number,
    overrides: Partial<SnapshotInputs> = {},
  ): SnapshotInputs {
    return {
      cloud,
      provider: CLOUD,
      serverId,
      imageName: `${RUN}-devstack-precise-${version}`,
      properties: {
        nodepool_kind: "image",
        nodepool_provider: CLOUD,
        nodepool_image: "devstack-precise",
        nodepool_version: String(version),
        nodepool_test_run: RUN,
      },
      buildTimeoutSeconds: 60,
      pollSeconds: 0.5,
      ...overrides,
    };
  }

  it("create waits for setup, snapshots, waits for active and sets nodepool's properties; diff and delete", async () => {
    const serverId = await templateServer("tmpl-a", true);
    const args = inputs(serverId, 1394417686);
    const created = await snapshotProvider.create!(args);
    const outs = created.outs as SnapshotOutputs;
    assert.equal(must(await clients.glance.findImagesByName(args.imageName))[0]?.id, created.id);
    assert.equal(outs.status, "active");
    assert.equal(outs.adopted, false);
    const image = must(await clients.glance.showImage(created.id))!;
    for (const [key, value] of Object.entries(args.properties)) assert.equal(image[key], value, key);
    assert.equal(image.status, "active");

    const same = await snapshotProvider.diff!(created.id, outs, args);
    assert.deepEqual([same.changes, same.replaces], [false, []]);
    const retagged = await snapshotProvider.diff!(created.id, outs, {
      ...args,
      properties: { ...args.properties, nodepool_hash: "abc" },
    });
    assert.deepEqual([retagged.changes, retagged.replaces], [true, []]);
    const renamed = await snapshotProvider.diff!(created.id, outs, {
      ...args,
      imageName: `${args.imageName}-x`,
    });
    assert.deepEqual([renamed.changes, renamed.replaces], [true, ["imageName"]]);
    const newServer = await snapshotProvider.diff!(created.id, outs, { ...args, serverId: "another" });
    assert.equal(newServer.changes, false, "the template server only mattered while snapshotting");

    // A second create of the same build adopts the image instead of taking another.
    const again = await snapshotProvider.create!(args);
    assert.equal(again.id, created.id);
    assert.equal((again.outs as SnapshotOutputs).adopted, true);
    assert.equal(must(await clients.glance.findImagesByName(args.imageName)).length, 1);

    await snapshotProvider.delete!(created.id, outs);
    assert.equal(must(await clients.glance.showImage(created.id)), undefined);
    await snapshotProvider.delete!(created.id, outs); // already gone: not an error
  });

  it("fails with the provider and server named when setup never finishes, leaving no image", async () => {
    const serverId = await templateServer("tmpl-b", false);
    const args = inputs(serverId, 1394514268, { buildTimeoutSeconds: 3 });
    await assert.rejects(snapshotProvider.create!(args), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(`^${CLOUD}: setup of ${RUN}-tmpl-b did not finish within 3 s \\(server is ACTIVE`),
      );
      return true;
    });
    assert.deepEqual(must(await clients.glance.findImagesByName(args.imageName)), []);
  });

  it("deletes its own snapshot when it does not become active in time", async () => {
    // A hypervisor that never uploads the snapshot (the local cloud's fake driver, asked to).
    const serverId = await templateServer("tmpl-c", true, { fake_snapshot_upload: "never" });
    const args = inputs(serverId, 1394600000, { buildTimeoutSeconds: 4 });
    await assert.rejects(snapshotProvider.create!(args), /not active within 4 s \(status queued\)/);
    assert.deepEqual(must(await clients.glance.findImagesByName(args.imageName)), []);
  });

  it("works when serialized, as Pulumi's dynamic-provider process runs it", async () => {
    const serialized = await pulumi.runtime.serializeFunction(() => snapshotProvider);
    const requireFromString = createRequire(import.meta.url)("require-from-string") as (code: string) => {
      handler: () => typeof snapshotProvider;
    };
    const provider = requireFromString(serialized.text).handler();
    const serverId = await templateServer("tmpl-d", true);
    const args = inputs(serverId, 1394700000);
    const created = await provider.create!(args);
    assert.equal(must(await clients.glance.showImage(created.id))?.status, "active");
    await provider.delete!(created.id, created.outs as SnapshotOutputs);
    assert.equal(must(await clients.glance.showImage(created.id)), undefined);
  });
});
