// Node claims on the local OpenStack (rax-iad, labels unique to the run): 20 claimers as
// separate processes racing for fewer ready nodes; the control experiments showing why the
// claim locks the Neutron port (If-Match) and not Nova metadata, and why a 200 from Neutron is
// not enough (concurrent If-Match updates can all apply); a dead claimer's stale lock taken
// over; release / hold / delete by node-list's ID and by name; --wait; an unknown label.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { EXIT } from "../../src/cli/exit-codes.js";
import { main } from "../../src/cli/main.js";
import { META } from "../../src/core/metadata.js";
import { claimDescription, parseClaim } from "../../src/nodes/claim.js";
import { captureIo } from "../support/capture-io.js";
import { bootReadyNodes, lostRacesOf, runCli, type BootedNode, type CliRun } from "../support/node-pool.js";
import { cleanUp, localCloudProblem, must, open, RUN } from "../support/openstack-cloud.js";
import { createPoolRepo } from "../support/pool-repo.js";

const PROVIDER = "rax-iad";
const START_DELAY_MS = 8000;
const VERSION = 1394514268;
const LABELS = {
  /** 12 nodes, 20 claimers, each trying the nodes in its own random order (as in production). */
  race: `${RUN}-race`,
  /** 6 nodes, 20 claimers all trying them in the same order (--no-shuffle), so that they collide. */
  lock: `${RUN}-lock`,
  /** Two nodes whose ports a dead claimer locked: one long ago, one just now. */
  stale: `${RUN}-stale`,
  /** Two ready nodes: an operator holds one, two jobs race for them. */
  marks: `${RUN}-marks`,
};
const { dir, file } = createPoolRepo({
  name: "claims",
  provider: PROVIDER,
  image: "claims-image",
  minReady: Object.fromEntries(Object.values(LABELS).map((label) => [label, 6])),
});
const clients = open(PROVIDER);
const nodes: Record<keyof typeof LABELS, BootedNode[]> = { race: [], lock: [], stale: [], marks: [] };

before(async () => {
  const problem = await localCloudProblem();
  if (problem) assert.fail(problem);
  const boot = (key: keyof typeof LABELS, count: number) =>
    bootReadyNodes(clients, { provider: PROVIDER, label: LABELS[key], count, version: VERSION, prefix: key });
  [nodes.race, nodes.lock, nodes.stale, nodes.marks] = await Promise.all([
    boot("race", 12),
    boot("lock", 6),
    boot("stale", 2),
    boot("marks", 2),
  ]);
});

after(async () => {
  await cleanUp([PROVIDER]);
  rmSync(dir, { recursive: true, force: true });
});

/** In-process, for the commands whose concurrency does not matter. */
async function run(args: string[]) {
  const io = captureIo();
  const code = await main(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

interface ClaimJson {
  id: string;
  serverId: string;
  name: string;
  ip?: string;
  claimedBy: string;
  lostRaces: number;
  tookOverFrom?: string;
}

/** Starts every claimer at once, then checks what they say against what the cloud says. */
async function race(label: string, booted: BootedNode[], claimers: number, extra: string[] = []) {
  const started = Date.now();
  // Node and tsx take a second or more to start 20 processes on a small machine: every claimer
  // waits for the same instant before its first look, or the first ones are done before the
  // last ones start.
  const startAt = String(started + START_DELAY_MS);
  const runs = await Promise.all(
    Array.from({ length: claimers }, (_, i) =>
      runCli([
        "node",
        "claim",
        label,
        "--json",
        "-f",
        file,
        "--claimer",
        `${RUN}-c${i}`,
        "--start-at",
        startAt,
        ...extra,
      ]),
    ),
  );
  const wallMs = Date.now() - started;
  /** From the common start to the last claimer's exit: the claims themselves. */
  const claimMs = Date.now() - Number(startAt);
  const unexpected = runs.filter((r) => r.code !== EXIT.ok && r.code !== EXIT.noNode);
  assert.deepEqual(unexpected.map(describeRun), [], "every claimer exits 0 (claimed) or 3 (no ready node)");
  const won = runs.filter((r) => r.code === EXIT.ok).map((r) => JSON.parse(r.stdout) as ClaimJson);
  const lost = runs.filter((r) => r.code === EXIT.noNode);
  assert.equal(won.length, Math.min(booted.length, claimers), "as many claims as there are nodes");
  assert.equal(lost.length, claimers - won.length);
  for (const r of lost) assert.match(r.stderr, new RegExp(`no ready ${label} node`));
  assert.equal(new Set(won.map((c) => c.serverId)).size, won.length, "no node is claimed twice");
  const ours = new Set(booted.map((n) => n.serverId));
  for (const claim of won) assert.ok(ours.has(claim.serverId), `${claim.name} is one of this label's nodes`);

  // The cloud agrees: Nova says in-use by that claimer, and the port's lock names the same one.
  for (const claim of won) {
    const server = must(await clients.nova.showServer(claim.serverId));
    assert.equal(server?.metadata[META.state], "in-use", claim.name);
    assert.equal(server?.metadata[META.claimedBy], claim.claimedBy, claim.name);
    const port = booted.find((n) => n.serverId === claim.serverId)!.port;
    const now = must(await clients.neutron.showPort(port.id));
    assert.equal(parseClaim(now?.description)?.claimer, claim.claimedBy, `${claim.name}'s port`);
    assert.ok(claim.ip && now?.fixed_ips.some((f) => f.ip_address === claim.ip), `${claim.name} has its IP`);
  }
  const lostRaces = runs.reduce((sum, r) => sum + lostRacesOf(r).lost, 0);
  const lostDespite200 = runs.reduce((sum, r) => sum + lostRacesOf(r).despite200, 0);
  const figures = {
    label,
    claimers,
    nodes: booted.length,
    claimed: won.length,
    lostRaces,
    lostDespite200,
    wallMs,
    claimMs,
  };
  console.log(`race figures: ${JSON.stringify(figures)}`);
  return { runs, won, figures };
}

const describeRun = (r: CliRun) => `exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`;

describe("node claim: 20 claimers as separate processes", () => {
  it("12 nodes, 20 shuffled claimers: 12 distinct claims, 8 exit 3, the cloud agrees", async () => {
    await race(LABELS.race, nodes.race, 20);
  });

  it("6 nodes, 20 claimers all starting at the same node (--no-shuffle): one claim per node", async (t) => {
    const { figures } = await race(LABELS.lock, nodes.lock, 20, ["--no-shuffle"]);
    // How many collided depends on the machine's timing (a claimer that comes second sees the
    // lock and skips without a 412), so it is reported, not asserted; the unit tests force
    // collisions on an in-memory Neutron that behaves like Zed's.
    t.diagnostic(`races lost: ${figures.lostRaces} (${figures.lostDespite200} answered 200)`);
  });
});

describe("why the lock is the port's If-Match, not Nova metadata", () => {
  it("two concurrent Nova metadata claims both succeed; a stale If-Match gets 412", async () => {
    const target = nodes.stale[1]!;
    const writes = await Promise.all(
      ["claimer-a", "claimer-b"].map((who) =>
        clients.nova.setServerMetadata(target.serverId, { nodepool_control_claim: who }),
      ),
    );
    // Both writers are told they succeeded: neither can know it lost.
    assert.deepEqual(
      writes.map((w) => w.ok),
      [true, true],
    );
    const final = must(await clients.nova.showServer(target.serverId))?.metadata.nodepool_control_claim;
    assert.ok(final === "claimer-a" || final === "claimer-b");
    must(await clients.nova.deleteServerMetadataKey(target.serverId, "nodepool_control_claim"));

    const port = must(await clients.neutron.showPort(target.port.id))!;
    const first = await clients.neutron.updatePortIfRevision(
      port.id,
      { name: `${RUN}-a` },
      port.revision_number,
    );
    assert.ok(first.ok, "the first update at the revision read applies");
    const second = await clients.neutron.updatePortIfRevision(
      port.id,
      { name: `${RUN}-b` },
      port.revision_number,
    );
    assert.equal(second.ok ? "applied" : second.error.kind, "conflict");
    assert.ok(!second.ok && second.error.status === 412);
    assert.equal(
      must(await clients.neutron.showPort(port.id))?.name,
      `${RUN}-a`,
      "the loser changed nothing",
    );
  });

  it("concurrent If-Match updates from one revision: only one answers N+1, however many Neutron applies", async () => {
    // Neutron Zed clears the If-Match constraint once checked, and when two updates collide the
    // loser's transaction is retried without it and applies: several may answer 200. Whether
    // they collide depends on timing (a script against a fresh port saw it in about every other
    // round of 10-20; the claimer races above report it as lostDespite200). What the claim relies
    // on must hold in every round: one update committed on top of the revision read, and only
    // it answers N+1.
    const target = nodes.stale[1]!;
    for (let round = 0; round < 3; round++) {
      const port = must(await clients.neutron.showPort(target.port.id))!;
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          clients.neutron.updatePortIfRevision(
            port.id,
            { description: `${RUN}-probe-${round}-${i}` },
            port.revision_number,
          ),
        ),
      );
      const shown = answers.map((a) => (a.ok ? a.value.revision_number : a.error.status));
      const applied = shown.filter((x) => x !== 412).length;
      console.log(
        `concurrent If-Match from revision ${port.revision_number}: ${applied} applied ${JSON.stringify(shown)}`,
      );
      assert.deepEqual(
        shown.filter((x) => x === port.revision_number + 1),
        [port.revision_number + 1],
      );
      assert.ok(
        answers.every((a) => a.ok || a.error.kind === "conflict"),
        "every update applied or got 412",
      );
    }
  });
});

describe("a claimer that died after locking the port", () => {
  it("is taken over once its lock is old on the cloud's clock, never sooner", async () => {
    // A lock's age is the cloud's now minus the port's updated_at, so it cannot be backdated:
    // the claim is told a lock goes stale after STALE seconds instead of 10 minutes.
    const STALE = 20;
    const now = Math.floor(Date.now() / 1000);
    const lock = async (node: BootedNode, description: string) => {
      const port = must(await clients.neutron.showPort(node.port.id))!;
      must(await clients.neutron.updatePortIfRevision(port.id, { description }, port.revision_number));
    };
    const [old, fresh] = nodes.stale as [BootedNode, BootedNode];
    // Its own time says fresh (a claimer with a slow clock); the cloud says it is STALE+ old.
    await lock(old, claimDescription("dead-job:123", now + 3600));
    await new Promise((done) => setTimeout(done, (STALE + 2) * 1000));
    await lock(fresh, claimDescription("slow-job", now - 3600));
    const staleAfter = ["--stale-claim-seconds", String(STALE)];

    const first = await runCli([
      "node",
      "claim",
      LABELS.stale,
      "--json",
      "-f",
      file,
      "--claimer",
      "next-job",
      ...staleAfter,
    ]);
    assert.equal(first.code, EXIT.ok, describeRun(first));
    const claim = JSON.parse(first.stdout) as ClaimJson;
    assert.equal(claim.serverId, old.serverId);
    assert.equal(claim.tookOverFrom, "dead-job:123");
    const server = must(await clients.nova.showServer(old.serverId));
    assert.equal(server?.metadata[META.claimedBy], "next-job");
    assert.equal(
      parseClaim(must(await clients.neutron.showPort(old.port.id))?.description)?.claimer,
      "next-job",
    );

    const second = await runCli([
      "node",
      "claim",
      LABELS.stale,
      "-f",
      file,
      "--claimer",
      "other-job",
      ...staleAfter,
    ]);
    assert.equal(second.code, EXIT.noNode, describeRun(second));
    const freshPort = must(await clients.neutron.showPort(fresh.port.id));
    assert.equal(parseClaim(freshPort?.description)?.claimer, "slow-job", "a recent lock is left alone");
    assert.equal(must(await clients.nova.showServer(fresh.serverId))?.metadata[META.state], "ready");
  });
});

describe("release, hold and delete", () => {
  interface Row {
    id: string;
    name: string;
    serverId: string;
    state: string;
    holdReason: string | null;
    claimedBy: string | null;
  }
  const list = async (): Promise<Row[]> => {
    const listed = await run(["node-list", "-f", file, "--label", LABELS.race, "--json"]);
    assert.equal(listed.code, EXIT.ok, listed.stderr);
    return (JSON.parse(listed.stdout) as { nodes: Row[] }).nodes;
  };
  const metadata = async (serverId: string) => must(await clients.nova.showServer(serverId))!.metadata;

  it("by node-list's ID and by name: release → used, hold → hold with its reason, delete → deleting", async () => {
    const rows = (await list()).filter((row) => row.state === "in-use");
    assert.ok(rows.length >= 6, `in-use nodes left by the race: ${rows.length}`);
    const [a, b, c, d, e, f] = rows as [Row, Row, Row, Row, Row, Row];
    const cases: [string[], Row, string][] = [
      [["release", a.id], a, "used"],
      [["release", b.name], b, "used"],
      [["hold", c.id, "--reason", "x"], c, "hold"],
      [["hold", d.name, "--reason", "flaky test 4211"], d, "hold"],
      [["delete", e.id], e, "deleting"],
      [["delete", f.name], f, "deleting"],
    ];
    for (const [args, row, state] of cases) {
      const done = await run(["node", ...args, "-f", file]);
      assert.equal(done.code, EXIT.ok, done.stderr);
      assert.equal(done.stdout.trim(), `${row.name} (${row.id}) in ${PROVIDER}: in-use → ${state}`);
      assert.equal((await metadata(row.serverId))[META.state], state, args.join(" "));
    }
    const after = new Map((await list()).map((row) => [row.id, row]));
    assert.equal(after.get(c.id)?.holdReason, "x");
    assert.equal(after.get(d.id)?.holdReason, "flaky test 4211");
    assert.deepEqual(
      [a, b, c, d, e, f].map((row) => after.get(row.id)?.state),
      ["used", "used", "hold", "hold", "deleting", "deleting"],
    );
    // A held node released after debugging no longer shows why it was held.
    const released = await run(["node", "release", c.id, "-f", file, "--json"]);
    assert.equal(released.code, EXIT.ok, released.stderr);
    assert.deepEqual(JSON.parse(released.stdout), {
      id: c.id,
      name: c.name,
      provider: PROVIDER,
      serverId: c.serverId,
      state: "used",
    });
    const row = (await list()).find((r) => r.id === c.id);
    assert.equal(row?.state, "used");
    assert.equal(row?.holdReason, null);
  });

  it("hold of a ready node takes its port lock, as a claim would: no job can claim it after", async () => {
    const [node] = nodes.marks as [BootedNode, BootedNode];
    const held = await run(["node", "hold", node.name, "-f", file, "--reason", "look"]);
    assert.equal(held.code, EXIT.ok, held.stderr);
    assert.match(held.stdout, /: ready → hold$/m);
    assert.equal((await metadata(node.serverId))[META.state], "hold");
    const port = must(await clients.neutron.showPort(node.port.id));
    assert.match(parseClaim(port?.description)?.claimer ?? "", /^nodepool node hold \(/);
    // The label's other node is still there to claim; the held one never is.
    const claims = await Promise.all(
      ["job-a", "job-b"].map((claimer) =>
        runCli(["node", "claim", LABELS.marks, "-f", file, "--claimer", claimer, "--json"]),
      ),
    );
    const won = claims.filter((c) => c.code === EXIT.ok).map((c) => JSON.parse(c.stdout) as ClaimJson);
    assert.equal(won.length, 1, claims.map(describeRun).join("\n"));
    assert.notEqual(won[0]!.serverId, node.serverId);
  });

  it("an unknown ID: a clear message, exit 1", async () => {
    const result = await run(["node", "release", "0000beef", "-f", file]);
    assert.equal(result.code, EXIT.failed);
    assert.equal(result.stderr.trim(), 'nodepool node release: no node "0000beef"; see `nodepool node-list`');
  });
});

describe("claim with nothing to claim", () => {
  it("--wait 5 with no ready node: looks again, says so, exits 3 after about 5 s", async () => {
    // Every lock node was claimed by the race above.
    const result = await runCli([
      "node",
      "claim",
      LABELS.lock,
      "-f",
      file,
      "--wait",
      "5",
      "--claimer",
      "waiter",
    ]);
    assert.equal(result.code, EXIT.noNode, describeRun(result));
    assert.match(
      result.stderr,
      new RegExp(`no ready ${LABELS.lock} node yet; looking again in \\d s \\(\\d s left\\)`),
    );
    assert.match(result.stderr, new RegExp(`no ready ${LABELS.lock} node within 5 s`));
    assert.ok(result.ms >= 5000 && result.ms < 30_000, `took ${result.ms} ms`);
    assert.equal(result.stdout, "");
  });

  it("a label that is not in images.yaml: exit 2", async () => {
    const result = await runCli(["node", "claim", `${RUN}-nope`, "-f", file]);
    assert.equal(result.code, EXIT.usage, describeRun(result));
    assert.match(result.stderr, new RegExp(`no label "${RUN}-nope" in `));
  });
});
