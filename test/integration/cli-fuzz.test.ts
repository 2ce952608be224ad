// Fuzz the CLI itself (issue 11): `nodepool validate` and `nodepool plan -i` as processes on
// a few hundred broken variants of images.yaml. validate exits 0 or 1; never a stack trace.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { applyMutations, mutations } from "../support/config-mutations.js";

const VARIANTS = 160;
const PARALLEL = 4;
const BIN = resolve("bin/nodepool.js");

const dir = mkdtempSync(join(tmpdir(), "nodepool-cli-fuzz-"));
cpSync("setup", join(dir, "setup"), { recursive: true });
const inventory = join(dir, "inventory.json");
writeFileSync(inventory, JSON.stringify({ readAt: 1394517000, providers: {} }));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

describe("nodepool on mutated images.yaml files", () => {
  it(`validate (and every 4th, plan -i --json) on ${VARIANTS} variants: the documented exit codes, no stack trace`, async () => {
    const samples = fc.sample(mutations, { numRuns: VARIANTS, seed: 1202 });
    const failures: string[] = [];
    let invalid = 0;
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < samples.length; i = next++) {
        const file = `variant-${i}.yaml`;
        writeFileSync(join(dir, file), applyMutations(samples[i]!));
        const commands = [["validate", "--file", file]];
        if (i % 4 === 0)
          commands.push(["plan", "--file", file, "-i", inventory, "--json", "--now", "1394517000"]);
        for (const args of commands) {
          const result = await run(args);
          if (args[0] === "validate" && result.code === 1) invalid++;
          const traced = /\n\s+at .+:\d+:\d+\)?\n/.test(result.stderr) || /^\w*Error\b/m.test(result.stderr);
          // plan: 4 when a provider of the variant is not in the (empty) inventory, as documented.
          const allowed = args[0] === "plan" ? [0, 1, 4] : [0, 1];
          if (!allowed.includes(result.code ?? -1) || traced) {
            failures.push(`${args.join(" ")} → exit ${result.code}\n${result.stderr.slice(0, 600)}`);
          }
          if (args.includes("--json") && result.stdout !== "") JSON.parse(result.stdout);
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    assert.deepEqual(failures, []);
    assert.ok(invalid > VARIANTS / 2, `${invalid} of ${VARIANTS} variants were invalid`);
  });
});
