// The rows of image-list and node-list from an inventory: sorting, IDs, builds still templates.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { imageBuildId } from "../../src/core/ids.js";
import { imageRows } from "../../src/cli/commands/image-list.js";
import { nodeRows } from "../../src/cli/commands/node-list.js";
import type { ImageBuild, Inventory, PoolNode, ReadableProvider } from "../../src/plan/inventory.js";

const NOW = 1394516968;
const build = (provider: string, version: number, state: ImageBuild["state"] = "ready"): ImageBuild => ({
  provider,
  image: "devstack-precise",
  version,
  state,
  createdAt: version + 2700,
  cloudImageId: `img-${provider}-${version}`,
  hostname: `devstack-precise-${version}`,
});
const node = (
  provider: string,
  serverId: string,
  createdAt: number,
  extra: Partial<PoolNode> = {},
): PoolNode => ({
  provider,
  label: "devstack-precise",
  name: serverId,
  imageVersion: 1394417686,
  state: "ready",
  createdAt,
  serverId,
  ...extra,
});

function live(providers: ReadableProvider[]) {
  const inventory: Inventory = {
    readAt: NOW,
    providers: Object.fromEntries(providers.map((p) => [p.provider, p])),
  };
  return { inventory, readable: providers };
}

describe("image-list rows", () => {
  it("sorts by provider, image, version and shows a build with only a template server as building", () => {
    const rows = imageRows(
      live([
        {
          provider: "rax-iad",
          readable: true,
          images: [build("rax-iad", 1394514268), build("rax-iad", 1394417686)],
          templates: [
            // Snapshotted already: not shown twice.
            {
              provider: "rax-iad",
              image: "devstack-precise",
              version: 1394514268,
              serverId: "t0",
              hostname: "h",
              state: "shutoff",
              createdAt: 1,
            },
            {
              provider: "rax-iad",
              image: "devstack-precise",
              version: 1394600000,
              serverId: "t1",
              hostname: "h1",
              state: "active",
              createdAt: NOW - 1800,
            },
          ],
          nodes: [],
          requests: [],
        },
        {
          provider: "hpcloud-az2",
          readable: true,
          images: [build("hpcloud-az2", 1394417686, "failed")],
          templates: [],
          nodes: [],
          requests: [],
        },
      ]),
    );
    assert.deepEqual(
      rows.map((r) => [r.provider, r.version, r.state, r.cloudImageId, r.serverId, r.ageHours]),
      [
        ["hpcloud-az2", 1394417686, "failed", "img-hpcloud-az2-1394417686", null, 26.83],
        ["rax-iad", 1394417686, "ready", "img-rax-iad-1394417686", null, 26.83],
        ["rax-iad", 1394514268, "ready", "img-rax-iad-1394514268", null, 0],
        ["rax-iad", 1394600000, "building", null, "t1", 0.5],
      ],
    );
  });

  it("gives each build a short ID that is stable and differs between builds", () => {
    const a = imageBuildId({ provider: "hpcloud-az2", image: "devstack-precise", version: 1394417686 });
    assert.match(a, /^[0-9a-f]{8}$/);
    assert.equal(
      a,
      imageBuildId({ provider: "hpcloud-az2", image: "devstack-precise", version: 1394417686 }),
    );
    assert.notEqual(
      a,
      imageBuildId({ provider: "hpcloud-az2", image: "devstack-precise", version: 1394514268 }),
    );
    assert.notEqual(a, imageBuildId({ provider: "rax-iad", image: "devstack-precise", version: 1394417686 }));
  });
});

describe("node-list rows", () => {
  it("filters by label and state and sorts by provider, label, age", () => {
    const rows = nodeRows(
      live([
        {
          provider: "rax-iad",
          readable: true,
          images: [],
          templates: [],
          nodes: [
            node("rax-iad", "s2", NOW - 60),
            node("rax-iad", "s1", NOW - 3600, { ip: "10.0.0.1" }),
            node("rax-iad", "s3", NOW - 7200, { state: "hold", holdReason: "debug" }),
            node("rax-iad", "s4", NOW - 10, { label: "other" }),
          ],
          requests: [],
        },
      ]),
      { label: "devstack-precise", state: "ready" },
    );
    assert.deepEqual(
      rows.map((r) => [r.serverId, r.ip, r.ageHours]),
      [
        ["s1", "10.0.0.1", 1],
        ["s2", null, 0.02],
      ],
    );
  });

  it("orders names as the plan does: node-9 before node-10 (core/sort.ts), not as text", () => {
    const sameAge = (name: string) => node("rax-iad", `id-${name}`, NOW - 60, { name });
    const rows = nodeRows(
      live([
        {
          provider: "rax-iad",
          readable: true,
          images: [],
          templates: [],
          nodes: [sameAge("node-10"), sameAge("node-9"), sameAge("node-100")],
          requests: [],
        },
      ]),
      {},
    );
    assert.deepEqual(
      rows.map((r) => r.name),
      ["node-9", "node-10", "node-100"],
    );
  });
});
