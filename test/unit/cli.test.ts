import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { COMMAND_LOADERS, main } from "../../src/cli/main.js";
import { captureIo } from "../support/capture-io.js";

function runBin(args: string[], nodeArgs: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [...nodeArgs, "bin/nodepool.js", ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
}

describe("the nodepool bin", () => {
  it("runs straight from the checkout (no build step) and exits 0 on a valid file", () => {
    const run = runBin(["validate"]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, "images.yaml: valid (2 providers, 1 image, 1 label)\n");
  });

  it("exits 1 on an invalid file, listing problems on stderr", () => {
    const dir = mkdtempSync(join(tmpdir(), "nodepool-cli-"));
    const file = join(dir, "images.yaml");
    writeFileSync(file, "providers:\n  - name: a\n    max-servers: 1\n    flavor: f\n    extra: 1\n");
    const run = runBin(["validate", "--file", file]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, `${file}:5:5: providers[0].extra: unknown key "extra"\n${file}: 1 problem\n`);
  });

  it("exits 2 on wrong usage, without running the command", () => {
    const run = runBin(["validate", "--bogus-option"]);
    assert.equal(run.status, 2);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /Unknown argument: bogus-option/);
  });

  it("--help lists the commands and loads no Pulumi code", () => {
    const run = runBin(["--help"], ["--import", "./test/support/trace-imports.mjs"]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /nodepool validate/);
    const imports = run.stderr.split("\n").filter((line) => line.startsWith("import: "));
    assert.ok(
      imports.some((line) => line.includes("/yargs/")),
      "the trace saw yargs load",
    );
    assert.deepEqual(
      imports.filter((line) => line.includes("@pulumi")),
      [],
    );
  });
});

describe("command loading", () => {
  it("runs from the bundle, not through tsx, and reconcile through tsx", () => {
    const trace = ["--import", "./test/support/trace-imports.mjs"];
    const claim = runBin(["node", "claim", "--help"], trace);
    assert.equal(claim.status, 0, claim.stderr);
    assert.match(claim.stderr, /import: file:.*node_modules\/\.cache\/nodepool-cli\/[0-9a-f]{16}\/main\.js/);
    assert.doesNotMatch(claim.stderr, /\/src\/cli\/main\.ts|tsx\/esm\/api/);
    const reconcile = runBin(["reconcile", "--help"], trace);
    assert.equal(reconcile.status, 0, reconcile.stderr);
    assert.match(reconcile.stderr, /\/src\/cli\/main\.ts/);
  });

  it("names each lazily loaded command by the word it answers to", async () => {
    for (const loader of COMMAND_LOADERS) {
      const entry = await loader.load();
      assert.equal([entry.command].flat()[0]!.split(" ")[0], loader.name);
    }
  });

  it("`node claim` loads only its own command: no rollback, git or reconciler code", () => {
    // From the sources, whose modules are named: the bundle's chunks follow the same lazy imports.
    const run = runBin(["node", "claim", "--help"], ["--import", "./test/support/trace-imports.mjs"], {
      NODEPOOL_CLI_FROM_SOURCES: "1",
    });
    assert.equal(run.status, 0, run.stderr);
    const local = run.stderr
      .split("\n")
      .filter((line) => line.startsWith("import: file:") && line.includes("/src/"));
    assert.ok(local.some((line) => line.includes("/src/cli/commands/node-claim.ts")));
    for (const unwanted of ["/src/rollback/", "/src/git/", "/src/reconciler/", "/commands/plan.ts"])
      assert.deepEqual(
        local.filter((line) => line.includes(unwanted)),
        [],
        `node claim loaded ${unwanted}`,
      );
  });
});

describe("nodepool validate", () => {
  it("--json reports validity and counts", async () => {
    const io = captureIo();
    assert.equal(await main(["validate", "--json"], io), 0);
    assert.deepEqual(JSON.parse(io.stdout()), {
      valid: true,
      file: "images.yaml",
      issues: [],
      providers: 2,
      images: 1,
      labels: 1,
    });
  });

  it("--json lists each problem with its position", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nodepool-cli-"));
    const file = join(dir, "images.yaml");
    writeFileSync(file, "providers: 3\n");
    const io = captureIo();
    assert.equal(await main(["validate", "--json", "-f", file], io), 1);
    assert.deepEqual(JSON.parse(io.stdout()).issues, [
      { file, line: 1, col: 12, path: "providers", message: "must be a list, not 3" },
    ]);
  });

  it("names a missing file", async () => {
    const io = captureIo();
    assert.equal(await main(["validate", "-f", "nope.yaml"], io), 1);
    assert.match(io.stderr(), /^nope\.yaml: cannot read the file/);
  });
});
