// The repository boundary (issue 11): every path images.yaml names must resolve, after
// symlinks, to a small regular UTF-8 file inside the repository that holds images.yaml.
// Real files, real git repositories, real symlinks and FIFOs in temporary directories.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { main } from "../../src/cli/main.js";
import { loadConfig } from "../../src/config/load.js";
import { boundaryOf, readRepoFile } from "../../src/config/repo-files.js";
import { MAX_USER_DATA_BYTES } from "../../src/config/repo-path.js";
import { captureIo } from "../support/capture-io.js";
import { git } from "../support/git-repo.js";

const EXAMPLE = readFileSync("images.yaml", "utf8");
const SETUP_LINE =
  "    setup: setup/prepare_devstack.sh   # runs on the template server, then it is snapshotted";

/** A git repo in repo/ with the example images.yaml and its script; a secret beside repo/. */
function sandbox(setup?: string, options: { git?: boolean } = {}) {
  const base = mkdtempSync(join(tmpdir(), "nodepool-boundary-"));
  const repo = join(base, "repo");
  mkdirSync(join(repo, "setup"), { recursive: true });
  writeFileSync(join(repo, "setup/prepare_devstack.sh"), "#!/bin/sh\necho ok\n");
  writeFileSync(join(base, "secret.txt"), "password: hunter2\n");
  if (options.git !== false) git(repo, "init", "-q");
  const file = join(repo, "images.yaml");
  const text = setup === undefined ? EXAMPLE : EXAMPLE.replace(SETUP_LINE, `    setup: ${setup}`);
  assert.ok(setup === undefined || text !== EXAMPLE, "the example's setup line was replaced");
  writeFileSync(file, text);
  return { base, repo, file, line: text.split("\n").findIndex((l) => l.startsWith("    setup:")) + 1 };
}

async function validate(file: string) {
  const io = captureIo();
  const code = await main(["validate", "--file", file], io);
  const json = captureIo();
  const jsonCode = await main(["validate", "--file", file, "--json"], json);
  return { code, stderr: io.stderr(), jsonCode, json: JSON.parse(json.stdout()) as { issues: unknown[] } };
}

/** validate exits 1 with one positioned problem at the setup value, and --json says the same. */
async function assertRefused(file: string, line: number, message: RegExp) {
  const result = await validate(file);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, new RegExp(`^${escape(file)}:${line}:12: images\\[0\\]\\.setup: `));
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  assert.equal(result.jsonCode, 1);
  assert.equal(result.json.issues.length, 1);
  assert.doesNotMatch(result.stderr, /hunter2|root:x:0/, "nothing of the file outside was shown");
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("setup paths stay inside the repository", () => {
  it("the example's own setup path is valid", async () => {
    const { file } = sandbox();
    assert.equal((await validate(file)).code, 0);
  });

  it("an absolute path is refused (setup: /etc/passwd)", async () => {
    const { file, line } = sandbox("/etc/passwd");
    await assertRefused(file, line, /"\/etc\/passwd" is absolute/);
  });

  it("a path that climbs out is refused (setup: ../x.sh, ../../../../etc/passwd)", async () => {
    for (const path of ["../x.sh", "../../../../etc/passwd", "setup/../../secret.txt"]) {
      const { file, line } = sandbox(path);
      await assertRefused(file, line, /contains '\.\.'/);
    }
  });

  it("a symlink pointing out of the repository is refused, and the target is never read", async () => {
    const { base, repo, file, line } = sandbox("setup/link.sh");
    symlinkSync(join(base, "secret.txt"), join(repo, "setup/link.sh"));
    await assertRefused(file, line, /resolves to .*secret\.txt, outside the repository at /);
  });

  it("a symlinked directory pointing out is refused too", async () => {
    const { base, repo, file, line } = sandbox("outside/secret.txt");
    symlinkSync(base, join(repo, "outside"));
    await assertRefused(file, line, /outside the repository/);
  });

  it("a symlink to a file inside the repository is followed", async () => {
    const { repo, file } = sandbox("setup/alias.sh");
    symlinkSync("prepare_devstack.sh", join(repo, "setup/alias.sh"));
    const loaded = loadConfig(file);
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.error));
    assert.equal(loaded.value.setupScripts["setup/alias.sh"], "#!/bin/sh\necho ok\n");
  });

  it("a directory is refused", async () => {
    const { file, line } = sandbox("setup");
    await assertRefused(file, line, /is a directory/);
  });

  it("a FIFO is refused without hanging", async () => {
    const { repo, file, line } = sandbox("setup/fifo.sh");
    execFileSync("mkfifo", [join(repo, "setup/fifo.sh")]);
    await assertRefused(file, line, /not a regular file/);
  });

  it("a file over Nova's user-data limit is refused; one at the limit is fine", async () => {
    const { repo, file, line } = sandbox("setup/big.sh");
    writeFileSync(join(repo, "setup/big.sh"), "#".repeat(MAX_USER_DATA_BYTES + 1));
    await assertRefused(
      file,
      line,
      new RegExp(`is ${MAX_USER_DATA_BYTES + 1} bytes; Nova takes at most 49149`),
    );
    writeFileSync(join(repo, "setup/big.sh"), "#".repeat(MAX_USER_DATA_BYTES));
    assert.equal((await validate(file)).code, 0);
  });

  it("a script that is not UTF-8 is refused at its first bad byte", async () => {
    const { repo, file, line } = sandbox("setup/latin1.sh");
    writeFileSync(join(repo, "setup/latin1.sh"), Buffer.from("#!/bin/sh\necho R\xe9gion\n", "latin1"));
    await assertRefused(file, line, /not UTF-8 text: byte 0xE9 at line 2, column 7/);
  });

  it("a missing script is refused", async () => {
    const { file, line } = sandbox("setup/nope.sh");
    await assertRefused(file, line, /"setup\/nope\.sh" not found/);
  });

  it("outside a git repository, the directory of images.yaml is the boundary", async () => {
    const { base, repo, file, line } = sandbox("setup/link.sh", { git: false });
    symlinkSync(join(base, "secret.txt"), join(repo, "setup/link.sh"));
    await assertRefused(file, line, /outside the repository/);
  });

  it("in a subdirectory of a repository, files elsewhere in the repository may be linked", async () => {
    const { repo } = sandbox();
    mkdirSync(join(repo, "config"));
    writeFileSync(join(repo, "config/images.yaml"), EXAMPLE.replace(SETUP_LINE, "    setup: shared.sh"));
    symlinkSync("../setup/prepare_devstack.sh", join(repo, "config/shared.sh"));
    const loaded = loadConfig(join(repo, "config/images.yaml"));
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.error));
  });

  it("the reader refuses such paths whatever called it (not only after the schema)", () => {
    const { base, repo } = sandbox();
    symlinkSync(join(base, "secret.txt"), join(repo, "setup/link.sh"));
    const boundary = boundaryOf(join(repo, "images.yaml"));
    for (const path of ["/etc/passwd", "../secret.txt", "setup/link.sh", "setup", "a\0b"]) {
      const read = readRepoFile(boundary, path);
      assert.equal(read.ok, false, path);
    }
    assert.deepEqual(readRepoFile(boundary, "setup/prepare_devstack.sh"), {
      ok: true,
      value: "#!/bin/sh\necho ok\n",
    });
  });
});
