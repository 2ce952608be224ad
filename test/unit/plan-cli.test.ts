// `nodepool plan` end to end through main(), on the example images.yaml and seed.json.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/io.js";
import type { Plan } from "../../src/plan/types.js";

const SEED = "test/fixtures/inventory/seed.json";
const NOW = "1394516968";

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), progress: () => {} };
  const code = await main(args, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** images.yaml with `extra` appended, beside a copy of its setup script. */
function exampleWith(extra: string): string {
  const dir = mkdtempSync(join(tmpdir(), "nodepool-plan-"));
  mkdirSync(join(dir, "setup"));
  copyFileSync("setup/prepare_devstack.sh", join(dir, "setup/prepare_devstack.sh"));
  const text = readFileSync("images.yaml", "utf8")
    .replace(/^pins: \{\}\n/m, "")
    .replace(/^rejected: \{\}\n/m, "");
  writeFileSync(join(dir, "images.yaml"), `${text}\n${extra}`);
  return join(dir, "images.yaml");
}

test("plan prints each provider's images, pools and actions with reasons, sorted", async () => {
  const { code, out, err } = await run(["plan", "--inventory", SEED, "--now", NOW]);
  assert.equal(err, "");
  assert.equal(code, 0);
  const lines = out.split("\n");
  const hp = lines.indexOf(lines.find((l) => l.startsWith("hpcloud-az2: max-servers 8"))!);
  const rax = lines.indexOf(lines.find((l) => l.startsWith("rax-iad: max-servers 6"))!);
  assert.ok(hp > 0 && rax > hp, "providers in name order");
  assert.ok(
    lines.includes(
      "  image devstack-precise: current 1394514268, previous 1394417686; ready: 1394331000, 1394417686, 1394514268",
    ),
  );
  const actions = lines.slice(hp, rax).filter((l) => l.startsWith("    "));
  assert.ok(actions.includes("    delete-image devstack-precise 1394331000: older than the 2 kept"));
  assert.ok(
    actions.includes(
      "    delete-node devstack-precise-hpcloud-az2-3: booted from 1394417686, current is 1394514268",
    ),
  );
  assert.ok(actions.includes("    delete-node devstack-precise-hpcloud-az2-5: used by its job"));
  const kinds = actions.map((l) => l.trim().split(" ")[0]);
  const order = ["build", "delete-template", "delete-image", "delete-node", "create-node"];
  assert.deepEqual(
    kinds,
    [...kinds].sort((a, b) => order.indexOf(a!) - order.indexOf(b!)),
  );
  assert.ok(
    lines.some((l) => l.startsWith("    build devstack-precise 1394516968: newest ready is 26.4 h old")),
  );
  assert.match(lines.at(-1)!, /^\d+ actions, 2 providers planned, 0 errors$/);
});

test("plan --json prints the Plan, identical on every run", async () => {
  const first = await run(["plan", "-i", SEED, "--now", NOW, "--json"]);
  const second = await run(["plan", "-i", SEED, "--now", NOW, "--json"]);
  assert.equal(first.code, 0);
  assert.equal(first.out, second.out);
  const plan = JSON.parse(first.out) as Plan;
  assert.equal(plan.now, Number(NOW));
  assert.deepEqual(
    plan.providers.map((p) => p.provider),
    ["hpcloud-az2", "rax-iad"],
  );
  const hp = plan.providers[0]!;
  assert.deepEqual(
    hp.desired.builds.map((b) => b.version),
    [1394417686, 1394514268],
  );
  assert.deepEqual(
    hp.desired.nodes.map((n) => n.name),
    [1, 4, 6, 7].map((n) => `devstack-precise-hpcloud-az2-${n}`),
  );
  assert.deepEqual(
    hp.desired.newNodes.map((n) => [n.name, n.imageVersion, n.cloudImageId]),
    [["devstack-precise-hpcloud-az2-1394516968-1", 1394514268, "388782"]],
  );
});

test("a bad pin makes the plan fail with exit 1 and says which versions exist", async () => {
  const file = exampleWith("pins:\n  devstack-precise:\n    hpcloud-az2: 1394400000\n");
  const { code, out } = await run(["plan", "-f", file, "-i", SEED, "--now", NOW]);
  assert.equal(code, 1);
  assert.match(
    out,
    /hpcloud-az2: pins\.devstack-precise\.hpcloud-az2: version 1394400000 is not a ready build in hpcloud-az2 \(ready: 1394331000, 1394417686, 1394514268\)/,
  );
});

test("an unreadable provider is shown with its error and gets no actions", async () => {
  const inventory = JSON.parse(readFileSync(SEED, "utf8"));
  inventory.providers["rax-iad"] = { provider: "rax-iad", readable: false, error: "503 Service Unavailable" };
  const file = join(mkdtempSync(join(tmpdir(), "nodepool-inv-")), "inventory.json");
  writeFileSync(file, JSON.stringify(inventory));
  const { code, out } = await run(["plan", "-i", file, "--now", NOW]);
  assert.equal(code, 4, "exit 4: a provider could not be read");
  assert.match(out, /^rax-iad: NOT READ, no actions .*: 503 Service Unavailable$/m);
  assert.doesNotMatch(out, /devstack-precise-rax-iad/);
  // Since provider isolation (issue 14) the other providers' plan is carried out.
  assert.match(out, /what the stack holds there is kept as it is, the other providers go on/);
  assert.doesNotMatch(out, /applies none of this/);
});

test("without --inventory, plan reads the clouds; one that is down is planned as no change (exit 4)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nodepool-clouds-"));
  const cloud = {
    auth: { auth_url: "http://127.0.0.1:1/v3", username: "u", password: "p", project_name: "p" },
  };
  writeFileSync(
    join(dir, "clouds.yaml"),
    JSON.stringify({ clouds: { "hpcloud-az2": cloud, "rax-iad": cloud } }),
  );
  const saved = process.env.OS_CLIENT_CONFIG_FILE;
  process.env.OS_CLIENT_CONFIG_FILE = join(dir, "clouds.yaml");
  try {
    const written = join(dir, "inventory.json");
    const { code, out } = await run(["plan", "--now", NOW, "--write-inventory", written]);
    assert.equal(code, 4);
    assert.match(out, /^hpcloud-az2: NOT READ, no actions .*127\.0\.0\.1:1/m);
    assert.match(out, /^rax-iad: NOT READ, no actions/m);
    const replay = await run(["plan", "-i", written, "--now", NOW]);
    assert.equal(replay.code, 4, "the saved inventory replays the same plan");
    assert.equal(replay.out, out);
  } finally {
    if (saved === undefined) delete process.env.OS_CLIENT_CONFIG_FILE;
    else process.env.OS_CLIENT_CONFIG_FILE = saved;
  }
});

test("a bad --now is a usage error", async () => {
  const { code, err } = await run(["plan", "-i", SEED, "--now", "-5"]);
  assert.equal(code, 2);
  assert.match(err, /--now must be a positive whole number/);
});

test("an invalid inventory names the file and every problem, exit 1", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "nodepool-inv-")), "broken.json");
  const inventory = JSON.parse(readFileSync(SEED, "utf8"));
  inventory.providers["hpcloud-az2"].nodes[1].state = "sleeping";
  delete inventory.providers["rax-iad"].images[0].cloudImageId;
  writeFileSync(file, JSON.stringify(inventory));
  const { code, err } = await run(["plan", "-i", file, "--now", NOW]);
  assert.equal(code, 1);
  assert.match(err, new RegExp(`${file}: providers\\.hpcloud-az2\\.nodes\\[1\\]\\.state: `));
  assert.match(
    err,
    new RegExp(
      `${file}: providers\\.rax-iad\\.images\\[0\\]\\.cloudImageId: a ready build needs its cloudImageId`,
    ),
  );

  writeFileSync(file, "{ not json");
  const notJson = await run(["plan", "-i", file, "--now", NOW]);
  assert.equal(notJson.code, 1);
  assert.match(notJson.err, new RegExp(`${file}: not valid JSON`));

  const missing = await run(["plan", "-i", `${file}.nope`, "--now", NOW]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /cannot read the inventory/);
});

test("--stack plans one stack's round: its owner from its stack file; --owner names it directly", async () => {
  const every = JSON.parse((await run(["plan", "-i", SEED, "--now", NOW, "--json"])).out) as Plan;
  const dev = await run(["plan", "-i", SEED, "--now", NOW, "--json", "--stack", "dev"]);
  assert.equal(dev.code, 0, dev.err);
  const devPlan = JSON.parse(dev.out) as Plan;
  assert.equal(devPlan.stack, "nodepool/dev", "stacks/Pulumi.dev.yaml's nodepool:owner");
  assert.equal(every.stack, undefined);
  // seed.json's servers are nodepool/dev's: its round does what the plan for every stack does.
  assert.deepEqual(
    devPlan.providers.map((p) => p.actions.map((a) => `${a.kind} ${a.target}`)),
    every.providers.map((p) => p.actions.map((a) => `${a.kind} ${a.target}`)),
  );

  const other = JSON.parse(
    (await run(["plan", "-i", SEED, "--now", NOW, "--json", "--owner", "nodepool/other"])).out,
  ) as Plan;
  const hp = other.providers.find((p) => p.provider === "hpcloud-az2")!;
  assert.deepEqual(
    hp.actions.filter((a) => a.kind === "delete-node"),
    [],
    "another stack's nodes are never its to delete",
  );
  assert.ok(
    hp.leftAlone.some((l) => l.target === "devstack-precise-hpcloud-az2-5" && l.owner === "nodepool/dev"),
  );
  const text = await run(["plan", "-i", SEED, "--now", NOW, "--owner", "nodepool/other"]);
  assert.match(text.out, /^Plan at .* for stack nodepool\/other: what its `pulumi up` does$/m);
  assert.match(text.out, /^ {2}left alone \(not this stack's\):$/m);
  assert.match(
    text.out,
    /^ {4}node devstack-precise-hpcloud-az2-5 \(nodepool\/dev\): stack nodepool\/dev's: only that stack changes it; its owner's plan would delete-node: used by its job$/m,
  );
});

test("--stack with no stack file, or a name that is a path, is refused naming what is wrong", async () => {
  const missing = await run(["plan", "-i", SEED, "--now", NOW, "--stack", "nope"]);
  assert.equal(missing.code, 1);
  assert.equal(missing.out, "");
  assert.match(missing.err, /^nodepool plan: --stack nope: stacks\/Pulumi\.nope\.yaml: /);
  const path = await run(["plan", "-i", SEED, "--now", NOW, "--stack", "../etc"]);
  assert.equal(path.code, 1);
  assert.match(path.err, /--stack \.\.\/etc: a stack name is letters, digits/);
  const both = await run(["plan", "-i", SEED, "--stack", "dev", "--owner", "x"]);
  assert.equal(both.code, 2, "--stack and --owner together are wrong usage");
});
