// The real Pulumi engine from .tools/bin (`npm run engine`), offline: a dynamic resource
// through a whole stack lifecycle, and the OpenStack provider plugin reached and run
// against a stand-in Keystone that refuses it. Each test has its own state dir and PULUMI_HOME.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { engineAvailable, engineEnv, projectRoot, runPulumi, type PulumiResult } from "../support/engine.js";

// In CI the engine is built first, so a missing one is a failure there, not a skip.
const skip = !engineAvailable() && !process.env["CI"] ? "engine not built: run `npm run engine`" : false;

const STEP_TIMEOUT_MS = 4 * 60_000;
// Text that would show the engine looking for a plugin it lacks, or fetching one.
const MISSING_OR_DOWNLOAD =
  /no resource plugin|plugin .* not found|could not find plugin|downloading plugin|\[resource plugin .*\] installing/i;

let scratch = "";

before(() => {
  // Fixture copies live under the project (git-ignored .tools/) so that Node finds the
  // project's node_modules by walking up; stack config files land in the copies.
  mkdirSync(join(projectRoot, ".tools"), { recursive: true });
  scratch = mkdtempSync(join(projectRoot, ".tools", "e2e-engine-"));
});

after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function setUp(fixture: string): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = join(scratch, fixture);
  cpSync(join(projectRoot, "test", "fixtures", fixture), dir, { recursive: true });
  const stateDir = join(scratch, `${fixture}-state`);
  const pulumiHome = join(scratch, `${fixture}-home`);
  mkdirSync(stateDir);
  mkdirSync(pulumiHome);
  return { dir, env: engineEnv({ stateDir, pulumiHome, passphrase: "engine-smoke-passphrase" }) };
}

function show(r: PulumiResult): string {
  return `exit ${r.code} after ${r.ms} ms\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

async function pulumi(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  expectOk = true,
): Promise<PulumiResult> {
  const r = await runPulumi([...args, "--non-interactive", "--color=never"], {
    cwd,
    env,
    timeoutMs: STEP_TIMEOUT_MS,
  });
  if (expectOk) assert.equal(r.code, 0, `pulumi ${args.join(" ")}: ${show(r)}`);
  assert.doesNotMatch(r.stdout + r.stderr, MISSING_OR_DOWNLOAD, `pulumi ${args.join(" ")}: ${show(r)}`);
  return r;
}

/**
 * A stand-in Keystone on 127.0.0.1 that refuses every token request with a 401 and a marker
 * in its body, and records what it was asked. It holds its port for the whole test: a port
 * that was merely bound and released can be taken by one of the engine's own gRPC servers
 * before the provider dials it (seen in CI as an HTTP/2 "malformed HTTP response").
 */
async function refusingKeystone(): Promise<{ port: number; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method ?? "?"} ${request.url ?? "?"}`);
    request.resume();
    response.writeHead(401, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: { code: 401, title: "Unauthorized", message: REFUSAL } }));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const address = server.address();
  assert.ok(address && typeof address === "object");
  return {
    port: address.port,
    requests,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

const REFUSAL = "nodepool smoke: refused on purpose";

describe("pulumi engine (local build)", { skip, timeout: 20 * 60_000 }, () => {
  test("dynamic resource: stack init, preview, up, destroy, stack rm", async () => {
    const { dir, env } = setUp("engine-smoke");
    const text = "nodepool engine smoke";
    await pulumi(["stack", "init", "smoke"], dir, env);
    await pulumi(["config", "set", "text", text], dir, env);

    const preview = await pulumi(["preview"], dir, env);
    assert.match(preview.stdout, /\+\s+pulumi-nodejs:dynamic:Resource\s+smoke\s+create/);
    assert.match(preview.stdout, /\+ 2 to create/);

    const up = await pulumi(["up", "--yes", "--skip-preview"], dir, env);
    assert.match(up.stdout, /\+ 2 created/);
    const outputs = await pulumi(["stack", "output", "--json"], dir, env);
    const parsed = JSON.parse(outputs.stdout) as { digest?: string; runtime?: string };
    assert.equal(parsed.digest, createHash("sha256").update(text).digest("hex"));
    assert.equal(parsed.runtime, `node ${process.version}`);

    // A second up finds nothing to change: the resource's state round-trips.
    const again = await pulumi(["preview", "--expect-no-changes"], dir, env);
    assert.match(again.stdout, /2 unchanged/);

    const destroy = await pulumi(["destroy", "--yes", "--skip-preview"], dir, env);
    assert.match(destroy.stdout, /- 2 deleted/);
    await pulumi(["stack", "rm", "--yes"], dir, env);
    const stacks = await pulumi(["stack", "ls", "--json"], dir, env);
    assert.deepEqual(JSON.parse(stacks.stdout), []);
  });

  test("openstack provider plugin runs and reaches Keystone", async () => {
    const { dir, env } = setUp("engine-openstack");
    const keystone = await refusingKeystone();
    try {
      await pulumi(["stack", "init", "refused"], dir, env);
      await pulumi(["config", "set", "authUrl", `http://127.0.0.1:${keystone.port}/v3`], dir, env);

      const preview = await pulumi(["preview"], dir, env, false);
      const all = preview.stdout + preview.stderr;
      assert.notEqual(preview.code, 0, show(preview));
      // The provider itself asked our Keystone for a token, and reports its refusal.
      assert.ok(
        keystone.requests.includes("POST /v3/auth/tokens"),
        `${keystone.requests.join(", ")}\n${show(preview)}`,
      );
      assert.match(all, /openstack:compute:Instance\s+smoke/, show(preview));
      assert.match(all, /401|Unauthorized|Authentication failed/i, show(preview));
      // Nothing was installed into this run's empty PULUMI_HOME: the plugin came from PATH.
      const home = env["PULUMI_HOME"];
      assert.ok(home);
      assert.deepEqual(
        readdirSync(home).filter((entry) => entry === "plugins"),
        [],
      );

      await pulumi(["stack", "rm", "--yes", "--force"], dir, env);
    } finally {
      await keystone.close();
    }
  });
});
