// The layer rules of docs/architecture.md are lint rules (eslint.config.js): each case lints a
// line as if it were in a file of that folder, with the project's own configuration.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ESLint } from "eslint";

const eslint = new ESLint();

/** The rule ids and messages ESLint reports for `code` placed at `filePath`. */
async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const ONE_IMPORT_USED = (line: string, name: string) => `${line}\nexport const used = ${name};\n`;

describe("layer rules", () => {
  it("refuses node:fs in src/plan", async () => {
    const found = await problems(
      "src/plan/peek.ts",
      ONE_IMPORT_USED('import { readFileSync } from "node:fs";', "readFileSync"),
    );
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(
      found[0]!,
      /^no-restricted-imports: 'node:fs' import is restricted .*the pure core reads no file/,
    );
  });

  it("refuses Pulumi, OpenStack and git code in src/config and src/plan", async () => {
    for (const [file, line] of [
      ["src/plan/x.ts", 'import * as pulumi from "@pulumi/pulumi";'],
      ["src/plan/x.ts", 'import * as openstack from "../openstack/nova.js";'],
      ["src/config/x.ts", 'import * as git from "simple-git";'],
      ["src/config/x.ts", 'import * as process from "node:child_process";'],
    ] as const) {
      const found = await problems(file, ONE_IMPORT_USED(line.replace(/\* as (\w+)/, "* as mod"), "mod"));
      assert.equal(found.length, 1, `${file}: ${line}: ${found.join("; ")}`);
      assert.match(found[0]!, /^no-restricted-imports:/);
    }
  });

  it("refuses the clock in the core, in its three spellings", async () => {
    for (const expression of ["Date.now()", "new Date()", "performance.now()"]) {
      const found = await problems("src/plan/x.ts", `export const t = ${expression};\n`);
      assert.equal(found.length, 1, `${expression}: ${found.join("; ")}`);
      assert.match(found[0]!, /reads no clock/);
    }
    // A time given to it is fine.
    assert.deepEqual(
      await problems("src/plan/x.ts", "export const at = (s: number) => new Date(s * 1000);\n"),
      [],
    );
  });

  it("lets the two file readers of config read files, and nothing else there", async () => {
    const line = ONE_IMPORT_USED('import { readFileSync } from "node:fs";', "readFileSync");
    assert.deepEqual(await problems("src/config/repo-files.ts", line), []);
    assert.equal((await problems("src/config/parse.ts", line)).length, 1);
  });

  it("refuses a command importing another command, and allows the CLI's shared modules", async () => {
    const other = await problems(
      "src/cli/commands/pin.ts",
      ONE_IMPORT_USED('import { planCommand } from "./plan.js";', "planCommand"),
    );
    assert.equal(other.length, 1, other.join("; "));
    assert.match(other[0]!, /a command imports no other command/);
    const shared = ONE_IMPORT_USED('import { EXIT } from "../exit-codes.js";', "EXIT");
    assert.deepEqual(await problems("src/cli/commands/pin.ts", shared), []);
  });

  it("leaves adapters free to do I/O", async () => {
    const line = ONE_IMPORT_USED('import { readFileSync } from "node:fs";', "readFileSync");
    assert.deepEqual(await problems("src/openstack/x.ts", line), []);
  });
});
