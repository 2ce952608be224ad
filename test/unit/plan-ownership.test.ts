// Which stack's round acts on what (src/plan/ownership.ts): a stack deletes, keeps and
// snapshots only what carries its nodepool:owner, adopts a snapshot made outside Pulumi, and
// leaves another stack's items and hand-made servers alone, saying so. A plan for every stack
// acts as each item's owner would. Every item of the plan names its owner.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { plan } from "../../src/plan/plan.js";
import type { Plan } from "../../src/plan/types.js";
import { configFromYaml, seedYaml } from "../support/config-fixtures.js";
import { inventoryOf, node, readyBuild, template, TEST_OWNER } from "../support/plan-inventory.js";

const OTHER = "nodepool/ci";
const VERSION = 1394514268;
const NOW = VERSION + 3600;
const config = configFromYaml(seedYaml({ minReady: 2 }));

function sharedCloud() {
  return inventoryOf(NOW, {
    "hpcloud-az2": {
      images: [
        readyBuild(config, VERSION, { stack: TEST_OWNER }),
        // Uploaded by hand to seed a pool: nobody's yet, so the planning stack adopts it.
        readyBuild(config, VERSION - 86400, { stack: undefined }),
        readyBuild(config, VERSION - 2 * 86400, { stack: OTHER, state: "failed" }),
      ],
      templates: [template(NOW - 600, { state: "shutoff", stack: OTHER })],
      nodes: [
        node("devstack-precise-hpcloud-az2-1", VERSION),
        node("devstack-precise-hpcloud-az2-2", VERSION, { state: "used" }),
        node("devstack-precise-hpcloud-az2-3", VERSION, { state: "used", stack: OTHER }),
        node("devstack-precise-hpcloud-az2-4", VERSION, { stack: OTHER }),
        node("devstack-precise-hpcloud-az2-5", VERSION, { state: "used", stack: undefined }),
      ],
    },
  });
}

const only = (result: Plan) => result.providers[0]!;
const actionsOf = (result: Plan) => only(result).actions.map((a) => `${a.kind} ${a.target} ${a.owner}`);

describe("a stack's round acts only on what it owns", () => {
  const result = plan(config, sharedCloud(), TEST_OWNER, NOW);

  it("names the stack, and acts on its own items only", () => {
    assert.equal(result.stack, TEST_OWNER);
    assert.deepEqual(actionsOf(result), [`delete-node devstack-precise-hpcloud-az2-2 ${TEST_OWNER}`]);
    // Another stack's ready node counts toward the pool: a job's claim takes any ready node.
    assert.equal(only(result).pools[0]!.counts.ready, 2);
  });

  it("leaves another stack's build, template and nodes alone, and a hand-made node, saying why", () => {
    assert.deepEqual(
      only(result).leftAlone.map((l) => [l.kind, l.target, l.owner, l.reason]),
      [
        [
          "template",
          `devstack-precise ${NOW - 600}`,
          OTHER,
          `stack ${OTHER}'s: only that stack changes it; its owner's plan would snapshot: setup finished: the template server shut itself off`,
        ],
        [
          "image",
          `devstack-precise ${VERSION - 2 * 86400}`,
          OTHER,
          `stack ${OTHER}'s: only that stack changes it; its owner's plan would delete-image: the build failed`,
        ],
        [
          "node",
          "devstack-precise-hpcloud-az2-3",
          OTHER,
          `stack ${OTHER}'s: only that stack changes it; its owner's plan would delete-node: used by its job`,
        ],
        [
          "node",
          "devstack-precise-hpcloud-az2-4",
          OTHER,
          `stack ${OTHER}'s: only that stack changes it; kept`,
        ],
        [
          "node",
          "devstack-precise-hpcloud-az2-5",
          null,
          "made outside nodepool's stacks: nobody's to change; its owner's plan would delete-node: used by its job",
        ],
      ],
    );
  });

  it("declares its own items and the adopted snapshot, each with its owner and resolved inputs", () => {
    const desired = only(result).desired;
    assert.deepEqual(
      desired.builds.map((b) => [b.version, b.owner, b.resourceName, b.imageName, b.buildTimeoutSeconds]),
      [
        [
          VERSION - 86400,
          TEST_OWNER,
          `hpcloud-az2.devstack-precise-${VERSION - 86400}`,
          `devstack-precise-${VERSION - 86400}`,
          3600,
        ],
        [VERSION, TEST_OWNER, `hpcloud-az2.devstack-precise-${VERSION}`, `devstack-precise-${VERSION}`, 3600],
      ],
    );
    assert.deepEqual(desired.templates, [], "another stack's template is not declared");
    assert.deepEqual(
      desired.nodes.map((n) => [n.name, n.owner, n.flavor]),
      [["devstack-precise-hpcloud-az2-1", TEST_OWNER, "m1.nodepool"]],
    );
  });

  it("gives what it boots its own owner", () => {
    const short = plan(configFromYaml(seedYaml({ minReady: 3 })), sharedCloud(), TEST_OWNER, NOW);
    assert.deepEqual(
      only(short).desired.newNodes.map((n) => [n.name, n.owner]),
      [[`devstack-precise-hpcloud-az2-${NOW}-1`, TEST_OWNER]],
    );
    assert.ok(only(short).actions.some((a) => a.kind === "create-node" && a.owner === TEST_OWNER));
  });

  it("still counts every server against max-servers, whoever owns it", () => {
    assert.equal(only(result).capacity.existing, 6);
  });

  it("the JSON names the owner of every item", () => {
    const json = JSON.parse(JSON.stringify(result)) as Plan;
    const p = json.providers[0]!;
    const items = [
      ...p.actions,
      ...p.leftAlone,
      ...p.desired.builds,
      ...p.desired.newBuilds,
      ...p.desired.templates,
      ...p.desired.nodes,
      ...p.desired.newNodes,
    ];
    assert.ok(items.length > 5);
    for (const item of items) assert.ok("owner" in item, JSON.stringify(item));
  });
});

describe("a plan for every stack", () => {
  const result = plan(config, sharedCloud(), undefined, NOW);

  it("acts as each item's owner would; a hand-made node is still nobody's", () => {
    assert.equal(result.stack, undefined);
    assert.deepEqual(actionsOf(result), [
      `snapshot devstack-precise ${NOW - 600} ${OTHER}`,
      `delete-image devstack-precise ${VERSION - 2 * 86400} ${OTHER}`,
      `delete-node devstack-precise-hpcloud-az2-2 ${TEST_OWNER}`,
      `delete-node devstack-precise-hpcloud-az2-3 ${OTHER}`,
    ]);
    assert.deepEqual(
      only(result).leftAlone.map((l) => [l.target, l.owner]),
      [["devstack-precise-hpcloud-az2-5", null]],
    );
    // New items have no owner until a stack runs the round.
    assert.deepEqual(only(result).desired.newNodes, []);
    assert.equal(
      only(result).desired.builds.find((b) => b.version === VERSION - 86400)?.owner,
      null,
      "an adopted snapshot: the stack that runs the round will own it",
    );
  });
});
