// The Pulumi program under pulumi.runtime.setMocks: which resources it declares for the
// seed's scenario, after a revert, on a new day, and that it declares nothing when a
// provider cannot be read. No engine needed.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { LoadedConfig } from "../../src/config/definition.js";
import { err, ok } from "../../src/core/result.js";
import type { CloudConfig } from "../../src/openstack/clouds-config.js";
import type { Inventory, PoolNode } from "../../src/plan/inventory.js";
import type { StateResource } from "../../src/pulumi/frozen-state.js";
import { FROZEN_INSTANCE_INPUTS } from "../../src/pulumi/instance-inputs.js";
import type { ProgramSources } from "../../src/pulumi/program.js";
import { configFromYaml, seedYaml, SCRIPTS } from "../support/config-fixtures.js";
import { inventoryOf, node, readyBuild, template } from "../support/plan-inventory.js";

interface Declared {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  ignoreChanges: string[];
  /** The `import` option: the server id an existing server is taken over by. */
  importId?: string;
  /** The resource's URN and its parent's, once registered. */
  urn?: string;
  parentUrn?: string;
}

const STACK = "nodepool/test";
const HOUR = 3600;
const SEED_NOW = 1394514268 + 0.75 * HOUR;
const CLOUD: CloudConfig = {
  name: "hpcloud-az2",
  auth: { type: "password", authUrl: "http://127.0.0.1:5000/v3", username: "u", password: "secret-pw" },
  interface: "public",
  source: "test",
};

let runProgram: typeof import("../../src/pulumi/program.js").runProgram;
let RefusedToPlan: typeof import("../../src/pulumi/program.js").RefusedToPlan;
let mockRegistrations: { type: string; name: string }[] = [];

before(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        mockRegistrations.push({ type: args.type, name: args.name });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "nodepool",
    "test",
  );
  // The program must be imported after the mocks are set (docs/pulumi.md, "Two traps").
  ({ runProgram, RefusedToPlan } = await import("../../src/pulumi/program.js"));
});

/** Run the program on fixtures; resolve once every resource it declared is registered. */
async function declare(
  config: LoadedConfig,
  inventory: Inventory,
  now: number,
  extra: Partial<ProgramSources> = {},
): Promise<Declared[]> {
  const declared: Declared[] = [];
  const resources: pulumi.Resource[] = [];
  const parents: (pulumi.Resource | undefined)[] = [];
  mockRegistrations = [];
  const sources: ProgramSources = {
    stack: STACK,
    loadConfig: () => ok(config),
    cloudFor: () => ok(CLOUD),
    // The round reads the clouds at `now`: the inventory's time is the round's one clock reading.
    readInventory: async () => ({ ...inventory, readAt: now }),
    providerOptions: {
      transformations: [
        (args) => {
          declared.push({
            type: args.type,
            name: args.name,
            inputs: args.props as Record<string, unknown>,
            ignoreChanges: args.opts.ignoreChanges ?? [],
            importId: (args.opts as pulumi.CustomResourceOptions).import,
          });
          resources.push(args.resource);
          parents.push(args.opts.parent);
          return undefined;
        },
      ],
    },
    ...extra,
  };
  await runProgram(sources);
  const urnOf = (r: pulumi.Resource) => new Promise<string>((resolve) => r.urn.apply(resolve));
  await Promise.all(
    resources.map(async (r, i) => {
      declared[i]!.urn = await urnOf(r);
      const parent = parents[i];
      if (parent !== undefined) declared[i]!.parentUrn = await urnOf(parent);
    }),
  );
  return declared;
}

const instances = (declared: Declared[]) =>
  declared.filter((d) => d.type === "openstack:compute/instance:Instance");
const snapshots = (declared: Declared[]) =>
  declared.filter((d) => d.type === "pulumi-nodejs:dynamic/nodepool:Snapshot");
const metadata = (d: Declared) => d.inputs.metadata as Record<string, string> | undefined;

function seedConfig(extra = ""): LoadedConfig {
  return configFromYaml(seedYaml({ minReady: 3, extra }));
}

function seedInventory(config: LoadedConfig, nodes = [] as ReturnType<typeof node>[]): Inventory {
  return inventoryOf(SEED_NOW, {
    "hpcloud-az2": {
      images: [
        readyBuild(config, 1394417686, { createdAt: 1394417686, cloudImageId: "387612" }),
        readyBuild(config, 1394514268, { createdAt: 1394514268, cloudImageId: "388782" }),
      ],
      nodes,
    },
  });
}

describe("the program under mocks", () => {
  it("declares the seed's scenario: both ready snapshots kept, a pool from the current one", async () => {
    const config = seedConfig();
    const declared = await declare(config, seedInventory(config), SEED_NOW);

    assert.deepEqual(
      declared.filter((d) => d.type.startsWith("nodepool:index:")).map((d) => `${d.type} ${d.name}`),
      [
        "nodepool:index:Provider hpcloud-az2",
        "nodepool:index:Image hpcloud-az2/devstack-precise",
        "nodepool:index:Pool hpcloud-az2/devstack-precise",
      ],
    );
    assert.deepEqual(
      declared
        .filter((d) => d.type === "pulumi:providers:openstack")
        .map((d) => [d.name, d.inputs.authUrl, d.inputs.userName]),
      [["hpcloud-az2", "http://127.0.0.1:5000/v3", "u"]],
    );
    const providerInputs = declared.find((d) => d.type === "pulumi:providers:openstack")!.inputs;
    assert.equal(
      await pulumi.isSecret(providerInputs.password as pulumi.Output<string>),
      true,
      "the password is a secret",
    );
    assert.deepEqual(
      snapshots(declared)
        .map((d) => d.name)
        .sort(),
      ["hpcloud-az2.devstack-precise-1394417686", "hpcloud-az2.devstack-precise-1394514268"],
    );
    const nodes = instances(declared);
    assert.deepEqual(nodes.map((d) => d.name).sort(), [
      `devstack-precise-hpcloud-az2-${SEED_NOW}-1`,
      `devstack-precise-hpcloud-az2-${SEED_NOW}-2`,
      `devstack-precise-hpcloud-az2-${SEED_NOW}-3`,
    ]);
    for (const n of nodes) {
      assert.equal(n.inputs.imageId, "388782", "new nodes boot the current (newest ready) image");
      assert.deepEqual(metadata(n), {
        nodepool_kind: "node",
        nodepool_provider: "hpcloud-az2",
        nodepool_label: "devstack-precise",
        nodepool_image: "devstack-precise",
        nodepool_version: "1394514268",
        nodepool_state: "ready",
        nodepool_stack: STACK,
      });
      assert.deepEqual(n.inputs.networks, [{ name: "nodepool-net" }]);
    }
  });

  it("after a revert: nodes move to the previous image under new names, the bad snapshot is dropped", async () => {
    const config = seedConfig(
      "pins:\n  devstack-precise:\n    hpcloud-az2: 1394417686\nrejected:\n  devstack-precise:\n    hpcloud-az2: [1394514268]\n",
    );
    const onBad = { cloudImageId: "388782", stack: STACK, createdAt: SEED_NOW - 600 };
    const inventory = seedInventory(config, [
      node("devstack-precise-hpcloud-az2-1", 1394514268, { ...onBad, state: "ready" }),
      node("devstack-precise-hpcloud-az2-2", 1394514268, { ...onBad, state: "in-use" }),
      node("devstack-precise-hpcloud-az2-3", 1394514268, { ...onBad, state: "ready" }),
    ]);
    const declared = await declare(config, inventory, SEED_NOW + 60);

    const now = SEED_NOW + 60;
    assert.deepEqual(
      snapshots(declared).map((d) => d.name),
      ["hpcloud-az2.devstack-precise-1394417686"],
      "the previous build stays; the rejected one is no longer declared, so Pulumi deletes it",
    );
    const byName = new Map(instances(declared).map((d) => [d.name, d]));
    // The newest good build is now 27 h old, so a new build starts: its template server.
    assert.ok(byName.has(`hpcloud-az2.devstack-precise-${now}`), "a new build's template server");
    assert.ok(byName.has("devstack-precise-hpcloud-az2-2"), "the in-use node is kept");
    assert.ok(!byName.has("devstack-precise-hpcloud-az2-1") && !byName.has("devstack-precise-hpcloud-az2-3"));
    const fresh = [...byName.values()].filter((d) => metadata(d)?.nodepool_version === "1394417686");
    assert.equal(
      fresh.length,
      3,
      "min-ready 3: three ready nodes on the previous image (the in-use one is extra)",
    );
    for (const d of fresh) {
      assert.equal(d.inputs.imageId, "387612");
      assert.match(d.name, new RegExp(`^devstack-precise-hpcloud-az2-${now}-[1-3]$`), "named for this round");
    }
  });

  it("on a new day: a template server with the setup script appears, and no snapshot yet", async () => {
    const config = seedConfig();
    const nextDay = 1394514268 + 25 * HOUR;
    const declared = await declare(config, seedInventory(config), nextDay);
    const version = nextDay;
    const template = instances(declared).find((d) => metadata(d)?.nodepool_kind === "template");
    assert.ok(template, "a template server is declared");
    assert.equal(template.name, `hpcloud-az2.devstack-precise-${version}`);
    assert.equal(template.inputs.name, `devstack-precise-${version}.template.openstack.org`);
    assert.equal(template.inputs.imageName, "ubuntu-precise");
    assert.equal(template.inputs.flavorName, "m1.nodepool");
    assert.equal(template.inputs.userData, SCRIPTS["setup/prepare_devstack.sh"]);
    // The round does not wait for the setup: a later one snapshots the server.
    assert.deepEqual(
      snapshots(declared).filter((d) => d.name.endsWith(`-${version}`)),
      [],
    );
  });

  for (const [how, setUp] of [
    ["shut itself off", { state: "shutoff" }],
    ["set nodepool_setup=done", { state: "active", setupDone: true }],
  ] as const)
    it(`snapshots a template server once its setup has finished (it ${how}), keeping the server`, async () => {
      const config = seedConfig();
      const version = SEED_NOW - 600;
      const inventory = seedInventory(config);
      const provider = inventory.providers["hpcloud-az2"]!;
      assert.ok(provider.readable);
      provider.templates.push(template(version, { stack: STACK, serverId: "srv-tmpl", ...setUp }));
      const declared = await declare(config, inventory, SEED_NOW);
      const snapshot = snapshots(declared).find((d) => d.name === `hpcloud-az2.devstack-precise-${version}`);
      assert.ok(snapshot, "a snapshot of the set-up template server is declared");
      assert.equal(snapshot.inputs.serverId, "srv-tmpl");
      assert.equal(snapshot.inputs.imageName, `devstack-precise-${version}`);
      assert.equal(snapshot.inputs.buildTimeoutSeconds, 3600);
      assert.ok(
        instances(declared).some((d) => d.name === `hpcloud-az2.devstack-precise-${version}`),
        "the template server is kept until its snapshot is ready",
      );
    });

  it("leaves a template server whose setup is still running alone: no snapshot yet", async () => {
    const config = seedConfig();
    const version = SEED_NOW - 600;
    const inventory = seedInventory(config);
    const provider = inventory.providers["hpcloud-az2"]!;
    assert.ok(provider.readable);
    provider.templates.push(template(version, { stack: STACK, serverId: "srv-tmpl", state: "active" }));
    const declared = await declare(config, inventory, SEED_NOW);
    assert.deepEqual(
      snapshots(declared)
        .map((d) => d.name)
        .filter((name) => name.endsWith(`-${version}`)),
      [],
    );
    assert.ok(instances(declared).some((d) => d.name === `hpcloud-az2.devstack-precise-${version}`));
  });

  it("existing servers are declared with import (a lost state takes them over), new ones without", async () => {
    const config = seedConfig();
    const inventory = seedInventory(config, [
      node("devstack-precise-hpcloud-az2-1", 1394514268, { stack: STACK, serverId: "srv-node-1" }),
      node("devstack-precise-hpcloud-az2-2", 1394514268, {
        stack: STACK,
        state: "hold",
        serverId: "srv-node-2",
      }),
    ]);
    const provider = inventory.providers["hpcloud-az2"]!;
    assert.ok(provider.readable);
    const version = SEED_NOW - 600;
    provider.templates.push(template(version, { stack: STACK, serverId: "srv-tmpl", state: "building" }));
    const declared = await declare(config, inventory, SEED_NOW);
    assert.deepEqual(
      instances(declared)
        .map((d) => [d.name, d.importId])
        .sort(),
      [
        ["devstack-precise-hpcloud-az2-1", "srv-node-1"],
        [`devstack-precise-hpcloud-az2-${SEED_NOW}-1`, undefined],
        [`devstack-precise-hpcloud-az2-${SEED_NOW}-2`, undefined],
        ["devstack-precise-hpcloud-az2-2", "srv-node-2"],
        [`hpcloud-az2.devstack-precise-${version}`, "srv-tmpl"],
      ],
    );
  });

  it("refuses before declaring anything when a provider cannot be read and no state says what to keep", async () => {
    const config = configFromYaml(
      seedYaml({ minReady: 3 }).replace(
        "images:",
        "  - name: rax-iad\n    max-servers: 4\n    flavor: m1.nodepool\nimages:",
      ),
    );
    const inventory = inventoryOf(SEED_NOW, {
      "hpcloud-az2": { images: [readyBuild(config, 1394514268)] },
      "rax-iad": { error: "rax-iad: GET http://127.0.0.1:8774/v2.1/servers/detail: 503 Service Unavailable" },
    });
    await assert.rejects(declare(config, inventory, SEED_NOW), (error: Error) => {
      assert.ok(error instanceof RefusedToPlan);
      assert.match(
        error.message,
        /provider rax-iad could not be read \(rax-iad: GET .*503 Service Unavailable\), and this run has no state to keep it from, so nothing may change anywhere/,
      );
      return true;
    });
    assert.deepEqual(mockRegistrations, [], "not one resource was registered");
  });

  it("refuses when the plan has an error (a pin to a build that does not exist)", async () => {
    const config = seedConfig("pins:\n  devstack-precise:\n    hpcloud-az2: 1394400000\n");
    await assert.rejects(declare(config, seedInventory(config), SEED_NOW), /1394400000/);
    assert.deepEqual(mockRegistrations, []);
  });
});

describe("servers can never be rebuilt or replaced by a change to images.yaml", () => {
  it("every server declares every Instance input as ignored", async () => {
    const config = seedConfig();
    const inventory = seedInventory(config, [
      node("devstack-precise-hpcloud-az2-1", 1394514268, {
        cloudImageId: "388782",
        stack: STACK,
        state: "in-use",
      }),
    ]);
    const declared = await declare(config, inventory, 1394514268 + 25 * HOUR);
    const source = readFileSync("node_modules/@pulumi/openstack/compute/instance.d.ts", "utf8");
    const argsBlock = /export interface InstanceArgs \{([\s\S]*?)\n\}/.exec(source)![1]!;
    const allInputs = [...argsBlock.matchAll(/^\s{4}(\w+)\??:/gm)].map((m) => m[1]!).sort();
    assert.ok(allInputs.includes("imageId") && allInputs.includes("userData"));
    assert.ok(instances(declared).length >= 3);
    for (const server of instances(declared)) {
      assert.deepEqual([...server.ignoreChanges].sort(), allInputs, `${server.name} ignores every input`);
    }
  });

  it("an in-use node keeps its name when its image is rejected, pinned away or the config changes", async () => {
    const inUse = node("devstack-precise-hpcloud-az2-1", 1394514268, {
      cloudImageId: "388782",
      stack: STACK,
      state: "in-use",
    });
    for (const extra of [
      "pins:\n  devstack-precise:\n    hpcloud-az2: 1394417686\n",
      "rejected:\n  devstack-precise:\n    hpcloud-az2: [1394514268]\n",
    ]) {
      const config = seedConfig(extra);
      const declared = await declare(config, seedInventory(config, [inUse]), SEED_NOW);
      const same = instances(declared).filter((d) => d.name === inUse.name);
      assert.equal(same.length, 1, "declared once, under its own name");
      assert.equal(metadata(same[0]!), undefined, "declared from the inventory, not as a new node");
    }
  });

  it("sends the deletes of the nodes it drops before the engine's own, and waits for the answers", async () => {
    const config = seedConfig();
    const ours = (name: string, state: PoolNode["state"]) =>
      node(name, 1394514268, { cloudImageId: "388782", stack: STACK, state });
    const used = ours("devstack-precise-hpcloud-az2-1", "used");
    const failed = ours("devstack-precise-hpcloud-az2-2", "failed");
    const inUse = ours("devstack-precise-hpcloud-az2-3", "in-use");
    const ready = ours("devstack-precise-hpcloud-az2-4", "ready");
    const others = node("devstack-precise-hpcloud-az2-5", 1394514268, {
      stack: "other/stack",
      state: "used",
    });
    const sent: string[][] = [];
    const warnings: string[] = [];
    let answered = false;
    const declared = await declare(
      config,
      seedInventory(config, [used, failed, inUse, ready, others]),
      SEED_NOW,
      {
        deleteNodes: async (_config, nodes) => {
          sent.push(nodes.map((n) => n.name));
          await new Promise((resolve) => setTimeout(resolve, 20));
          answered = true;
          return ["hpcloud-az2/devstack-precise-hpcloud-az2-2: Nova answered 500"];
        },
        warn: (message) => warnings.push(message),
      },
    );
    assert.deepEqual(
      sent,
      [[used.name, failed.name]],
      "one batch: this stack's dropped nodes, never a job's",
    );
    assert.ok(answered, "the program returned only after Nova answered");
    const names = instances(declared).map((d) => d.name);
    assert.ok(
      !names.includes(used.name) && !names.includes(failed.name),
      "not declared: Pulumi deletes them too",
    );
    assert.ok(names.includes(inUse.name) && names.includes(ready.name));
    assert.match(warnings.join("\n"), /deleted by Pulumi's step instead: .*az2-2: Nova answered 500/);
  });

  it("sends no delete when the plan drops nothing", async () => {
    const config = seedConfig();
    const ready = node("devstack-precise-hpcloud-az2-4", 1394514268, {
      cloudImageId: "388782",
      stack: STACK,
    });
    let calls = 0;
    await declare(config, seedInventory(config, [ready]), SEED_NOW, {
      deleteNodes: async () => {
        calls++;
        return [];
      },
    });
    assert.equal(calls, 0);
  });

  it("keeps its own and unowned snapshots (stamping them as its own), never another stack's", async () => {
    const config = seedConfig();
    const inventory = inventoryOf(SEED_NOW, {
      "hpcloud-az2": {
        images: [
          readyBuild(config, 1394331000, { createdAt: SEED_NOW - 50 * HOUR, stack: "nodepool/other" }),
          readyBuild(config, 1394417686, { createdAt: 1394417686 }),
          readyBuild(config, 1394514268, { createdAt: 1394514268, stack: STACK }),
        ],
      },
    });
    const declared = await declare(config, inventory, SEED_NOW);
    assert.deepEqual(
      snapshots(declared)
        .map((d) => d.name)
        .sort(),
      ["hpcloud-az2.devstack-precise-1394417686", "hpcloud-az2.devstack-precise-1394514268"],
    );
    for (const snapshot of snapshots(declared)) {
      const properties = await new Promise<Record<string, string>>((resolve) =>
        pulumi.output(snapshot.inputs.properties as Record<string, string>).apply(resolve),
      );
      assert.equal(properties.nodepool_stack, STACK);
    }
  });

  it("nodes another stack created are not declared, so this stack never deletes them", async () => {
    const config = seedConfig();
    const foreign = node("devstack-precise-hpcloud-az2-9", 1394514268, {
      stack: "nodepool/other",
      state: "in-use",
    });
    const declared = await declare(config, seedInventory(config, [foreign]), SEED_NOW);
    assert.ok(!instances(declared).some((d) => d.name === foreign.name));
  });
});

describe("one provider's outage stops only that provider", () => {
  const twoProviders = () =>
    configFromYaml(
      seedYaml({ minReady: 2 })
        .replace("images:", "  - name: rax-iad\n    max-servers: 4\n    flavor: m1.nodepool\nimages:")
        .replace("providers: [hpcloud-az2]", "providers: [hpcloud-az2, rax-iad]")
        .replace("      hpcloud-az2: 2", "      hpcloud-az2: 2\n      rax-iad: 2"),
    );
  const RAX_DOWN = "rax-iad: POST http://127.0.0.1:5000/v3/auth/tokens: 401 Unauthorized";
  const plain = (inputs: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(inputs).filter(
        ([, v]) =>
          typeof v === "string" || typeof v === "number" || (v !== null && v?.constructor === Object),
      ),
    );
  /** What the engine would have recorded after a round that declared these. */
  const stateOf = (declared: Declared[]): StateResource[] =>
    declared.map((d) => ({
      urn: d.urn!,
      type: d.type,
      ...(d.parentUrn ? { parent: d.parentUrn } : {}),
      ...(d.type.startsWith("nodepool:index:") ? {} : { custom: true, id: `${d.name}-id` }),
      inputs: plain(d.inputs),
    }));
  const raxOf = (declared: Declared[]) =>
    declared
      .filter((d) => d.urn!.includes("::rax-iad") || d.parentUrn?.includes("rax-iad"))
      .map((d) => `${d.urn} < ${d.parentUrn ?? "stack"}`)
      .sort();

  it("declares the unreadable provider again from the state, same URNs and parents, and goes on with the other", async () => {
    const config = twoProviders();
    const rax = (version: number) => readyBuild(config, version, { provider: "rax-iad", stack: STACK });
    const healthy = inventoryOf(SEED_NOW, {
      "hpcloud-az2": {
        images: [readyBuild(config, 1394514268, { stack: STACK })],
        nodes: [
          node("devstack-precise-hpcloud-az2-1", 1394514268, { stack: STACK }),
          node("devstack-precise-hpcloud-az2-2", 1394514268, { stack: STACK }),
        ],
      },
      "rax-iad": {
        images: [rax(1394514268)],
        nodes: [
          node("devstack-precise-rax-iad-1", 1394514268, { provider: "rax-iad", stack: STACK }),
          node("devstack-precise-rax-iad-2", 1394514268, { provider: "rax-iad", stack: STACK }),
        ],
      },
    });
    const before = await declare(config, healthy, SEED_NOW);
    assert.ok(
      raxOf(before).some((line) => line.includes("devstack-precise-rax-iad-2")),
      "the fixture has rax-iad nodes",
    );

    const outage = inventoryOf(SEED_NOW, {
      "hpcloud-az2": {
        images: [readyBuild(config, 1394514268, { stack: STACK })],
        nodes: [
          node("devstack-precise-hpcloud-az2-1", 1394514268, { state: "used", stack: STACK }),
          node("devstack-precise-hpcloud-az2-2", 1394514268, { stack: STACK }),
        ],
      },
      "rax-iad": { error: RAX_DOWN },
    });
    const warnings: string[] = [];
    const during = await declare(config, outage, SEED_NOW, {
      exportState: async () => ok(stateOf(before)),
      warn: (message) => warnings.push(message),
    });
    assert.deepEqual(raxOf(during), raxOf(before), "every rax-iad resource again, under the same parent");
    // Every input the state recorded is ignored, so the engine keeps the recorded values.
    const recordedOf = new Map(stateOf(before).map((s) => [s.urn, Object.keys(s.inputs ?? {})]));
    for (const d of during.filter((d) => d.name.includes("rax-iad") && !d.type.startsWith("nodepool:"))) {
      const missing = (recordedOf.get(d.urn!) ?? []).filter((key) => !d.ignoreChanges.includes(key));
      assert.deepEqual(missing, [], `${d.type} ${d.name}`);
      if (d.type === "openstack:compute/instance:Instance")
        assert.deepEqual(
          FROZEN_INSTANCE_INPUTS.filter((key) => !d.ignoreChanges.includes(key)),
          [],
          d.name,
        );
    }
    const snapshotsOf = (declared: Declared[]) =>
      snapshots(declared)
        .filter((d) => d.name.startsWith("rax-iad"))
        .map((d) => [d.name, d.inputs.imageName, JSON.stringify(d.inputs.properties)]);
    assert.deepEqual(snapshotsOf(during), snapshotsOf(before), "snapshots keep their names and properties");
    // The healthy provider goes on: its used node is replaced by a new one.
    const hpNodes = instances(during)
      .filter((d) => d.name.includes("hpcloud-az2") && !d.name.includes("."))
      .map((d) => d.name);
    assert.ok(
      !hpNodes.includes("devstack-precise-hpcloud-az2-1"),
      `the used node is dropped: ${hpNodes.join(", ")}`,
    );
    assert.equal(hpNodes.length, 2, `two ready again: ${hpNodes.join(", ")}`);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /provider rax-iad could not be read \(.*401.*\): its \d+ resources are declared again/,
    );
  });

  it("a provider whose cloud entry is gone from clouds.yaml is kept too, and the others go on", async () => {
    const config = twoProviders();
    const healthy = inventoryOf(SEED_NOW, {
      "hpcloud-az2": { images: [readyBuild(config, 1394514268)] },
      "rax-iad": {
        images: [readyBuild(config, 1394514268, { provider: "rax-iad", stack: STACK })],
        nodes: [node("devstack-precise-rax-iad-1", 1394514268, { provider: "rax-iad", stack: STACK })],
      },
    });
    const before = await declare(config, healthy, SEED_NOW);
    const noCloud = (_: LoadedConfig, provider: string) =>
      provider === "rax-iad" ? err("no cloud named rax-iad in clouds.yaml") : ok(CLOUD);
    const gone = inventoryOf(SEED_NOW, {
      "hpcloud-az2": { images: [readyBuild(config, 1394514268)] },
      "rax-iad": { error: "rax-iad: no cloud named rax-iad in clouds.yaml" },
    });
    const during = await declare(config, gone, SEED_NOW, {
      cloudFor: noCloud,
      exportState: async () => ok(stateOf(before)),
    });
    assert.deepEqual(raxOf(during), raxOf(before));
    assert.ok(instances(during).some((d) => d.name.startsWith("devstack-precise-hpcloud-az2-")));
    // A readable provider without credentials still refuses: it would be declared without them.
    await assert.rejects(
      declare(config, healthy, SEED_NOW, { cloudFor: noCloud }),
      /provider rax-iad: no cloud named rax-iad in clouds\.yaml/,
    );
  });

  it("refuses, declaring nothing, when the state cannot be exported", async () => {
    const config = twoProviders();
    const outage = inventoryOf(SEED_NOW, {
      "hpcloud-az2": { images: [readyBuild(config, 1394514268, { stack: STACK })] },
      "rax-iad": { error: RAX_DOWN },
    });
    await assert.rejects(
      declare(config, outage, SEED_NOW, { exportState: async () => err("error: no stack named 'x'") }),
      /provider rax-iad could not be read \(.*\), and the stack's state could not be read: error: no stack named 'x', so nothing may change anywhere/,
    );
    assert.deepEqual(mockRegistrations, []);
  });
});
