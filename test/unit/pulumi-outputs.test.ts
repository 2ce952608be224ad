// Stack outputs: what `pulumi stack output` shows is the state after the run, so the next
// preview of an unchanged stack shows no output change.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { plan } from "../../src/plan/plan.js";
import { stackOutputs } from "../../src/pulumi/outputs.js";
import { configFromYaml, seedYaml } from "../support/config-fixtures.js";
import { inventoryOf, node, readyBuild, TEST_OWNER } from "../support/plan-inventory.js";

const VERSION = 1394514268;
const NOW = VERSION + 3600;

describe("stackOutputs", () => {
  it("counts new nodes as ready (up returns once they are ACTIVE), kept nodes by their state", () => {
    const config = configFromYaml(seedYaml({ minReady: 3 }));
    const before = inventoryOf(NOW, {
      "hpcloud-az2": {
        images: [readyBuild(config, VERSION)],
        nodes: [
          node("devstack-precise-hpcloud-az2-1", VERSION, { state: "in-use" }),
          node("devstack-precise-hpcloud-az2-2", VERSION),
        ],
      },
    });
    const first = stackOutputs(plan(config, before, TEST_OWNER, NOW));
    assert.deepEqual(first.nodeCounts, { "devstack-precise": { "in-use": 1, ready: 3 } });
    assert.deepEqual(first.currentImages, { "hpcloud-az2": { "devstack-precise": VERSION } });

    // The next run sees the two new nodes ready: the same outputs.
    const after = inventoryOf(NOW + 60, {
      "hpcloud-az2": {
        images: [readyBuild(config, VERSION)],
        nodes: [
          node("devstack-precise-hpcloud-az2-1", VERSION, { state: "in-use" }),
          node("devstack-precise-hpcloud-az2-2", VERSION),
          node("devstack-precise-hpcloud-az2-3", VERSION),
          node("devstack-precise-hpcloud-az2-4", VERSION),
        ],
      },
    });
    assert.deepEqual(stackOutputs(plan(config, after, TEST_OWNER, NOW + 60)), first);
    assert.deepEqual(first.unreadableProviders, {});
  });

  it("names each provider that could not be read, and counts only the others", () => {
    const config = configFromYaml(
      seedYaml({ minReady: 1 }).replace(
        "images:",
        "  - name: rax-iad\n    max-servers: 4\n    flavor: m1.nodepool\nimages:",
      ),
    );
    const outage = inventoryOf(NOW, {
      "hpcloud-az2": {
        images: [readyBuild(config, VERSION)],
        nodes: [node("devstack-precise-hpcloud-az2-1", VERSION)],
      },
      "rax-iad": { error: "rax-iad: 503 Service Unavailable" },
    });
    const outputs = stackOutputs(plan(config, outage, TEST_OWNER, NOW));
    assert.deepEqual(outputs.unreadableProviders, { "rax-iad": "rax-iad: 503 Service Unavailable" });
    assert.deepEqual(Object.keys(outputs.currentImages), ["hpcloud-az2"]);
    assert.deepEqual(outputs.nodeCounts, { "devstack-precise": { ready: 1 } });
  });
});
