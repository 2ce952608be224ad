// Which existing image a snapshot step adopts instead of making a second one: only this
// provider's and this stack's, and only one that is or may become usable. Glance's statuses mean
// the same here as in the inventory (openstack/glance.ts imageState).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ok } from "../../src/core/result.js";
import type { GlanceImage } from "../../src/openstack/glance.js";
import { findAdoptable, type SnapshotInputs } from "../../src/pulumi/snapshot/snapshot-steps.js";

const NAME = "devstack-precise-1394417686";
const inputs = {
  cloud: { authUrl: "http://127.0.0.1:1/v3", auth: {} },
  provider: "rax-iad",
  serverId: "",
  imageName: NAME,
  properties: { nodepool_provider: "rax-iad", nodepool_stack: "nodepool/prod" },
  buildTimeoutSeconds: 60,
} as unknown as SnapshotInputs;

function glanceWith(images: Partial<GlanceImage>[]) {
  const found = images.map((image, i) => ({ id: `img-${i}`, name: NAME, ...image }) as GlanceImage);
  return {
    nova: {},
    glance: { findImagesByName: async (name: string) => ok(found.filter((image) => image.name === name)) },
  } as unknown as Parameters<typeof findAdoptable>[0];
}

const ours = { nodepool_provider: "rax-iad", nodepool_stack: "nodepool/prod" };

describe("findAdoptable", () => {
  it("adopts this stack's active or still-uploading image", async () => {
    for (const status of ["active", "queued", "saving", "importing"]) {
      const image = await findAdoptable(glanceWith([{ status, ...ours }]), inputs);
      assert.equal(image?.id, "img-0", status);
    }
  });

  it("never adopts a deactivated, killed or deleted image: a second snapshot is made instead", async () => {
    for (const status of ["deactivated", "killed", "deleted", "pending_delete"]) {
      assert.equal(await findAdoptable(glanceWith([{ status, ...ours }]), inputs), undefined, status);
    }
  });

  it("skips a broken one for a good one of the same name", async () => {
    const image = await findAdoptable(
      glanceWith([
        { status: "deactivated", ...ours },
        { status: "active", ...ours },
      ]),
      inputs,
    );
    assert.equal(image?.id, "img-1");
  });

  it("never adopts another stack's image; one made outside Pulumi (no stack) is adopted", async () => {
    const theirs = { nodepool_provider: "rax-iad", nodepool_stack: "nodepool/other" };
    assert.equal(await findAdoptable(glanceWith([{ status: "active", ...theirs }]), inputs), undefined);
    const handMade = await findAdoptable(
      glanceWith([{ status: "active", nodepool_provider: "rax-iad" }]),
      inputs,
    );
    assert.equal(handMade?.id, "img-0");
  });
});
