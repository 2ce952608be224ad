// Node requests on the local OpenStack (rax-iad, a label unique to the run, no nodes): a
// waiting claim records one, `request-list` shows it with its claimer, the plan counts it
// beyond min-ready, and none is left behind when the claim times out or is stopped.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { EXIT } from "../../src/cli/exit-codes.js";
import type { RequestRow } from "../../src/cli/commands/request-list.js";
import { runCli } from "../support/node-pool.js";
import { localCloudProblem, RUN } from "../support/openstack-cloud.js";
import { createPoolRepo } from "../support/pool-repo.js";

const PROVIDER = "rax-iad";
const LABEL = `${RUN}-requests`;
const { dir, file } = createPoolRepo({
  name: "requests",
  provider: PROVIDER,
  image: "requests-image",
  minReady: { [LABEL]: 1 },
});

before(async () => {
  const problem = await localCloudProblem();
  if (problem) assert.fail(problem);
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function openRequests(): Promise<RequestRow[]> {
  const listed = await runCli(["request-list", "-f", file, "--label", LABEL, "--json"]);
  assert.equal(listed.code, 0, listed.stderr);
  return (JSON.parse(listed.stdout) as { requests: RequestRow[] }).requests;
}

async function until<T>(what: string, look: () => Promise<T | undefined>, seconds = 30): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const found = await look();
    if (found !== undefined) return found;
    if (Date.now() > deadline) assert.fail(`not within ${seconds} s: ${what}`);
    await new Promise((done) => setTimeout(done, 300));
  }
}

describe("node requests", () => {
  it("a waiting claim records one request, listed with its claimer, and deletes it when it gives up", async () => {
    const claim = runCli(["node", "claim", LABEL, "-f", file, "--wait", "25", "--claimer", `${RUN}-job-1`]);
    const seen = await until("the claim's request is listed", async () => {
      const rows = await openRequests();
      return rows.length > 0 ? rows : undefined;
    });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.requester, `${RUN}-job-1`);
    assert.equal(seen[0]!.state, "open");
    assert.equal(seen[0]!.provider, PROVIDER);
    // The plan boots for it beyond min-ready 1: a deficit of 2 (the image has no build here,
    // so the pool cannot grow, but the demand is counted).
    const planned = await runCli(["plan", "-f", file, "--json"]);
    const pools = (
      JSON.parse(planned.stdout) as {
        providers: { pools: { label: string; requests: number; deficit: number }[] }[];
      }
    ).providers[0]!.pools;
    const pool = pools.find((p) => p.label === LABEL)!;
    assert.deepEqual({ requests: pool.requests, deficit: pool.deficit }, { requests: 1, deficit: 2 });
    const ended = await claim;
    assert.equal(ended.code, EXIT.noNode, ended.stderr);
    assert.match(ended.stderr, /requested one in rax-iad \(request [0-9a-f-]+\)/);
    assert.deepEqual(await openRequests(), []);
  });

  it("a claim stopped by SIGTERM deletes its request before it exits", async () => {
    const child = spawn(
      process.execPath,
      [
        resolve("bin/nodepool.js"),
        "node",
        "claim",
        LABEL,
        "-f",
        file,
        "--wait",
        "120",
        "--claimer",
        `${RUN}-job-2`,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    await until("the claim's request is listed", async () =>
      (await openRequests()).length > 0 ? true : undefined,
    );
    child.kill("SIGTERM");
    assert.equal(await exited, 143);
    assert.deepEqual(await openRequests(), []);
  });
});
