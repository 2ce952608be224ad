// Issue 11, part 3: every user mistake ends in one clear message and the README's exit code
// (1 invalid input or failed work, 2 wrong usage, 4 a cloud unreadable), never a stack trace.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { main, reportInternalError } from "../../src/cli/main.js";
import { parseWholeNumber } from "../../src/cli/numbers.js";
import { parseInventory } from "../../src/plan/inventory-file.js";
import { captureIo } from "../support/capture-io.js";
import { IMAGE, makeRepo, PREVIOUS, type TempRepo } from "../support/git-repo.js";
import { FAKE_PASSWORD, startFakeCloud, type FakeCloud } from "../support/openstack-fake.js";

const SEED = "test/fixtures/inventory/seed.json";
const NOW = "1394516968";
const STACK_FRAME = /^\s+at /m;

async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

function runBin(args: string[]) {
  return spawnSync(process.execPath, ["bin/nodepool.js", ...args], { encoding: "utf8" });
}

const tempDir = () => mkdtempSync(join(tmpdir(), "nodepool-usage-"));

/** Every command, and positionals for it so that only the option under test is wrong. */
const COMMAND_LINES: { command: string[]; positionals: string[] }[] = [
  { command: ["validate"], positionals: [] },
  { command: ["plan"], positionals: [] },
  { command: ["image-list"], positionals: [] },
  { command: ["node-list"], positionals: [] },
  { command: ["node", "claim"], positionals: ["L"] },
  { command: ["node", "release"], positionals: ["x"] },
  { command: ["node", "hold"], positionals: ["x"] },
  { command: ["node", "delete"], positionals: ["x"] },
  { command: ["revert"], positionals: ["x"] },
  { command: ["pin"], positionals: ["x", "1"] },
  { command: ["unpin"], positionals: ["x"] },
  { command: ["delete-image"], positionals: ["x"] },
];

/** The options of a command's --help that take a value (every type but [boolean]). */
function valueOptionsInHelp(help: string): string[] {
  return help.split(/\n(?=\s+(?:-\w, )?--[\w-]+)/).flatMap((block) => {
    const name = /^\s+(?:-\w, )?--([\w-]+)/.exec(block)?.[1];
    return name !== undefined && name !== "help" && !block.includes("[boolean]") ? [name] : [];
  });
}

describe("a flag given without its value is a usage error naming the flag (exit 2)", () => {
  it("for every option that takes a value, in every command, defaults or not", async () => {
    const checked: string[] = [];
    for (const { command, positionals } of COMMAND_LINES) {
      const words = [...command, ...positionals];
      const options = valueOptionsInHelp((await run(...command, "--help")).stdout);
      // --start-at is hidden from the help; it takes a value all the same.
      if (command[1] === "claim") options.push("start-at");
      for (const option of options) {
        // An empty value of an option with choices (node-list --state=) is yargs' "Invalid values".
        const empty = new RegExp(
          `^nodepool: (--${option} needs a value\n|Invalid values:\n  Argument: ${option}, Given: "",)`,
        );
        for (const [args, message] of [
          [[...words, `--${option}`], new RegExp(`^nodepool: --${option} needs a value\n`)],
          [[...words, `--${option}`, "--json"], new RegExp(`^nodepool: --${option} needs a value\n`)],
          [[...words, `--${option}=`], empty],
        ] as const) {
          const result = await run(...args);
          assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
          assert.match(result.stderr, message, args.join(" "));
          assert.equal(result.stdout, "");
        }
        checked.push(`${words.join(" ")} --${option}`);
      }
    }
    // The help parsing found the options (a test that checked none would pass).
    for (const expected of [
      "validate --file",
      "plan --inventory",
      "plan --write-inventory",
      "plan --now",
      "node-list --label",
      "node-list --state",
      "node claim L --wait",
      "node claim L --start-at",
      "node hold x --reason",
      "revert x --branch",
      "revert x --remote",
      "revert x --provider",
      "pin x 1 --message",
      "delete-image x --inventory",
    ]) {
      assert.ok(checked.includes(expected), `${expected} was checked (checked: ${checked.join(", ")})`);
    }
  });

  it("names the alias as typed: plan -i, validate -f", async () => {
    for (const [args, flag] of [
      [["plan", "-i"], "-i"],
      [["validate", "-f"], "-f"],
      [["revert", "x", "-p"], "-p"],
    ] as const) {
      const result = await run(...args);
      assert.equal(result.code, 2);
      assert.match(result.stderr, new RegExp(`^nodepool: ${flag} needs a value\n`));
    }
  });

  it("does not validate ./images.yaml when --file has no value (the bin's exit status)", () => {
    const bin = runBin(["validate", "--file"]);
    assert.equal(bin.status, 2);
    assert.equal(bin.stdout, "");
    assert.equal(bin.stderr, "nodepool: --file needs a value\nRun `nodepool --help` for usage.\n");
  });

  it("an option that is not a list, given twice, is a usage error", async () => {
    const result = await run("validate", "-f", "images.yaml", "--file", "images.yaml");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^nodepool: --file was given more than once\n/);
    const listed = await run("revert", "x", "-p", "a", "-p", "", "-i", SEED);
    assert.equal(listed.code, 2, "an empty value in a list too");
    assert.match(listed.stderr, /^nodepool: --provider needs a value\n/);
  });
});

describe("a number that does not parse is echoed as typed (exit 2)", () => {
  const NOT_WHOLE = ["abc", "1e3", "12abc", "0x10", "1.5", "-5", " 7", "+7", "9007199254740992"];

  it("plan --now", async () => {
    for (const typed of [...NOT_WHOLE, "0"]) {
      const result = await run("plan", "-i", SEED, "--now", typed);
      assert.equal(result.code, 2, typed);
      assert.equal(
        result.stderr.split("\n")[0],
        `nodepool: --now must be a positive whole number of Unix seconds, got ${JSON.stringify(typed)}`,
      );
      assert.equal(result.stdout, "");
    }
    assert.equal((await run("plan", "-i", SEED, "--now", NOW)).code, 0, "a whole number passes");
  });

  it("node claim --wait and --start-at", async () => {
    for (const typed of NOT_WHOLE) {
      const wait = await run("node", "claim", "L", "--wait", typed);
      assert.equal(wait.code, 2, typed);
      assert.match(wait.stderr, /^nodepool: --wait must be a whole number of seconds, got "/);
      assert.ok(wait.stderr.includes(`got ${JSON.stringify(typed)}`), wait.stderr);
      const startAt = await run("node", "claim", "L", "--start-at", typed);
      assert.equal(startAt.code, 2, typed);
      assert.ok(
        startAt.stderr.startsWith(
          `nodepool: --start-at must be a positive whole number of Unix milliseconds, got ${JSON.stringify(typed)}`,
        ),
        startAt.stderr,
      );
    }
    // 0 is a whole number of seconds: the claim goes on, to the label images.yaml lacks.
    const zero = await run("node", "claim", "L", "--wait", "0");
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /^nodepool node claim: no label "L" in images.yaml/);
  });

  it("pin IMAGE VERSION", async () => {
    for (const typed of [...NOT_WHOLE, "0"]) {
      const result = await run("pin", IMAGE, typed, "-i", SEED);
      assert.equal(result.code, 2, typed);
      assert.equal(
        result.stderr.split("\n")[0],
        `nodepool: VERSION must be a build version (Unix seconds, like 1394417686), got ${JSON.stringify(typed)}`,
      );
    }
  });

  it("parseWholeNumber takes plain decimal digits within 2^53 only", () => {
    assert.equal(parseWholeNumber("0"), 0);
    assert.equal(parseWholeNumber("007"), 7);
    assert.equal(parseWholeNumber("9007199254740991"), Number.MAX_SAFE_INTEGER);
    for (const text of ["", "9007199254740992", "1e3", "0x10", "0b1", "1_000", "١٢", "5\n", "Infinity"]) {
      assert.equal(parseWholeNumber(text), undefined, JSON.stringify(text));
    }
  });
});

describe("plan --write-inventory to a place it cannot write (exit 1, nothing half written)", () => {
  let dir = "";
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = "";
  });

  const save = (path: string, ...extra: string[]) =>
    run("plan", "-i", SEED, "--now", NOW, "--write-inventory", path, ...extra);

  it("a directory that does not exist", async () => {
    dir = tempDir();
    const path = join(dir, "no/such/dir/x.json");
    for (const extra of [[], ["--json"]]) {
      const result = await save(path, ...extra);
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `nodepool plan: cannot write the inventory to ${path}: the directory ${join(dir, "no/such/dir")} does not exist\n`,
      );
      assert.equal(
        result.stdout,
        "",
        "no plan is printed: the run failed (and --json prints no half result)",
      );
    }
    assert.deepEqual(readdirSync(dir), []);
  });

  it("a path that is a directory, or under a file", async () => {
    dir = tempDir();
    const isDir = await save(dir);
    assert.equal(isDir.code, 1);
    assert.equal(isDir.stderr, `nodepool plan: cannot write the inventory to ${dir}: it is a directory\n`);
    writeFileSync(join(dir, "file"), "x");
    const underFile = await save(join(dir, "file/x.json"));
    assert.equal(underFile.code, 1);
    assert.match(
      underFile.stderr,
      /^nodepool plan: cannot write the inventory to .*file\/x\.json: .*file is not a directory\n$/,
    );
    assert.deepEqual(readdirSync(dir), ["file"]);
  });

  it("a directory it may not write in", async () => {
    dir = tempDir();
    const locked = join(dir, "locked");
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    // root may write anywhere but sysfs.
    const where = process.getuid?.() === 0 ? "/sys" : locked;
    const result = await save(join(where, "x.json"));
    chmodSync(locked, 0o755);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `nodepool plan: cannot write the inventory to ${join(where, "x.json")}: permission denied in ${where}\n`,
    );
    assert.equal(result.stdout, "");
    assert.deepEqual(readdirSync(locked), []);
  });

  it("a symbolic link to nowhere is refused, not followed", async () => {
    dir = tempDir();
    symlinkSync("nowhere.json", join(dir, "x.json"));
    const result = await save(join(dir, "x.json"));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /: it is a symbolic link to a file that does not exist\n$/);
    assert.deepEqual(readdirSync(dir), ["x.json"]);
  });

  it("writes the whole inventory, over an old one, leaving no temporary file", async () => {
    dir = tempDir();
    const path = join(dir, "x.json");
    writeFileSync(path, "old");
    const result = await save(path, "--json");
    assert.equal(result.code, 0, result.stderr);
    JSON.parse(result.stdout);
    // The same inventory as the seed file, which leaves empty lists out.
    const written = parseInventory(readFileSync(path, "utf8"));
    const seed = parseInventory(readFileSync(SEED, "utf8"));
    assert.ok(written.ok && seed.ok);
    assert.deepEqual(written.value, seed.value);
    assert.deepEqual(readdirSync(dir), ["x.json"]);
  });
});

describe("an unknown command is a usage error (exit 2), even with --help", () => {
  it("names it, with yargs' did-you-mean when it has one", async () => {
    for (const [args, message] of [
      [["no-such-command", "--help"], "Unknown command: no-such-command"],
      [["no-such-command"], "Unknown command: no-such-command"],
      [["reconciler", "-h"], "Unknown command: reconciler. Did you mean reconcile?"],
      [["imagelist", "--help"], "Unknown command: imagelist. Did you mean image-list?"],
      [["imagelist"], "Unknown command: imagelist. Did you mean image-list?"],
      [["node", "no-such", "--help"], "Unknown command: node no-such"],
      [["node", "clam", "L"], "Unknown command: node clam. Did you mean claim?"],
    ] as const) {
      const result = await run(...args);
      assert.equal(result.code, 2, args.join(" "));
      assert.equal(result.stdout, "", `${args.join(" ")} prints no help`);
      assert.equal(result.stderr, `nodepool: ${message}\nRun \`nodepool --help\` for usage.\n`);
    }
  });

  it("the bin exits 2 for `nodepool no-such-command --help`", () => {
    const bin = runBin(["no-such-command", "--help"]);
    assert.equal(bin.status, 2);
    assert.equal(bin.stdout, "");
    assert.match(bin.stderr, /^nodepool: Unknown command: no-such-command\n/);
  });

  it("while --help of every real command still prints its help and exits 0", async () => {
    for (const words of [[], ["node"], ...COMMAND_LINES.map((line) => line.command)]) {
      for (const help of ["--help", "-h"]) {
        const result = await run(...words, help);
        assert.equal(result.code, 0, `${words.join(" ")} ${help}: ${result.stderr}`);
        assert.ok(result.stdout.startsWith(`nodepool ${words.join(" ")}`.trimEnd()), result.stdout);
      }
    }
    // Options before the command are read as yargs reads them.
    const before = await run("-f", "images.yaml", "validate");
    assert.equal(before.code, 0, before.stderr);
  });
});

describe("a missing images.yaml or one that is a dangling symlink, in a git repo (exit 1)", () => {
  let repo: TempRepo;
  afterEach(() => repo?.cleanup());

  const COMMANDS = [
    ["revert", IMAGE],
    ["pin", IMAGE, String(PREVIOUS)],
    ["unpin", IMAGE],
    ["delete-image", "5d41402a"],
  ];

  it("each rollback command names the file and changes nothing", async () => {
    repo = makeRepo();
    const missing = join(repo.repo, "missing.yaml");
    const dangling = join(repo.repo, "dangling.yaml");
    symlinkSync("nowhere.yaml", dangling);
    const head = repo.head();
    for (const command of COMMANDS) {
      for (const dryRun of [[], ["--dry-run"]]) {
        const gone = await run(...command, "-f", missing, "-i", repo.inventoryFile, ...dryRun);
        assert.equal(gone.code, 1, `${command[0]}: ${gone.stderr}`);
        assert.equal(
          gone.stderr,
          `nodepool ${command[0]}: ${missing}: cannot read the file (does it exist?)\n`,
        );
        const link = await run(...command, "-f", dangling, "-i", repo.inventoryFile, ...dryRun);
        assert.equal(link.code, 1, `${command[0]}: ${link.stderr}`);
        assert.equal(
          link.stderr,
          `nodepool ${command[0]}: ${dangling}: cannot read the file: it is a symbolic link to nowhere.yaml, which does not exist\n`,
        );
      }
    }
    assert.equal(repo.head(), head);
    assert.equal(repo.git("status", "--porcelain"), "?? dangling.yaml\n");
  });

  it("a file in a directory that does not exist, or under a file", async () => {
    repo = makeRepo();
    for (const file of [join(repo.repo, "no/such/images.yaml"), join(repo.file, "images.yaml")]) {
      const result = await run("unpin", IMAGE, "-f", file);
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(`^nodepool unpin: ${file}: cannot read the file: .* is not a directory that exists\n$`),
      );
    }
  });
});

describe("--json: stdout holds one JSON document when there is a result, and nothing when there is none", () => {
  let dir = "";
  let fake: FakeCloud;
  const saved = process.env.OS_CLIENT_CONFIG_FILE;
  before(async () => {
    fake = await startFakeCloud();
    dir = tempDir();
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.OS_CLIENT_CONFIG_FILE;
    else process.env.OS_CLIENT_CONFIG_FILE = saved;
  });

  /** Both providers of the example images.yaml at `authUrl`. */
  function cloudsAt(authUrl: string): void {
    const auth = {
      auth_url: authUrl,
      username: "nodepool",
      password: FAKE_PASSWORD,
      project_name: "nodepool",
    };
    const cloud = { auth, region_name: "RegionOne" };
    writeFileSync(
      join(dir, "clouds.yaml"),
      JSON.stringify({ clouds: { "hpcloud-az2": cloud, "rax-iad": cloud } }),
    );
    process.env.OS_CLIENT_CONFIG_FILE = join(dir, "clouds.yaml");
  }

  const invalidYaml = () => {
    const file = join(dir, "invalid.yaml");
    writeFileSync(file, "providers: 3\n");
    return file;
  };

  const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

  it("validate: its verdict, valid or not (even for a missing file)", async () => {
    const valid = await run("validate", "--json");
    assert.equal(valid.code, 0);
    assert.equal(json(valid.stdout).valid, true);
    for (const file of [invalidYaml(), join(dir, "missing.yaml")]) {
      const invalid = await run("validate", "--json", "-f", file);
      assert.equal(invalid.code, 1);
      assert.equal(json(invalid.stdout).valid, false);
    }
  });

  it("plan: the plan, with errors (1) or unread providers (4); nothing when an input is unreadable", async () => {
    const planned = await run("plan", "--json", "-i", SEED, "--now", NOW);
    assert.equal(planned.code, 0);
    assert.ok(Array.isArray(json(planned.stdout).providers));
    cloudsAt("http://127.0.0.1:1/v3");
    const unread = await run("plan", "--json", "--now", NOW);
    assert.equal(unread.code, 4);
    assert.equal((json(unread.stdout).unreadable as unknown[]).length, 2);
    for (const args of [
      ["-i", join(dir, "missing.json")],
      ["-i", SEED, "-f", invalidYaml()],
      ["-i", SEED, "--write-inventory", join(dir, "no/x.json")],
    ]) {
      const failed = await run("plan", "--json", "--now", NOW, ...args);
      assert.equal(failed.code, 1, args.join(" "));
      assert.equal(failed.stdout, "", args.join(" "));
      assert.notEqual(failed.stderr, "");
    }
  });

  it("image-list and node-list: the list, also with unread providers (4); nothing for a bad images.yaml", async () => {
    for (const [command, key] of [
      ["image-list", "images"],
      ["node-list", "nodes"],
    ] as const) {
      cloudsAt(`${fake.url}/v3`);
      const listed = await run(command, "--json");
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(json(listed.stdout), { [key]: [], unreadable: [] });
      cloudsAt("http://127.0.0.1:1/v3");
      const unread = await run(command, "--json");
      assert.equal(unread.code, 4);
      assert.equal((json(unread.stdout).unreadable as unknown[]).length, 2);
      for (const args of [
        ["-f", invalidYaml()],
        ["--provider", "nope"],
      ]) {
        const failed = await run(command, "--json", ...args);
        assert.ok(failed.code === 1 || failed.code === 2, `${command} ${args.join(" ")}: ${failed.code}`);
        assert.equal(failed.stdout, "");
        assert.notEqual(failed.stderr, "");
      }
    }
  });

  it("node claim/release/hold/delete: nothing when no node was claimed or marked", async () => {
    cloudsAt(`${fake.url}/v3`);
    const none = await run("node", "claim", "devstack-precise", "--json");
    assert.equal(none.code, 3, none.stderr);
    assert.equal(none.stdout, "");
    for (const verb of ["release", "hold", "delete"]) {
      const unknown = await run("node", verb, "nope", "--json");
      assert.equal(unknown.code, 1, unknown.stderr);
      assert.equal(unknown.stdout, "");
      assert.match(unknown.stderr, new RegExp(`^nodepool node ${verb}: no node "nope"`));
    }
    cloudsAt("http://127.0.0.1:1/v3");
    const refused = await run("node", "claim", "devstack-precise", "--json");
    assert.equal(refused.code, 4);
    assert.equal(refused.stdout, "");
    const bad = await run("node", "claim", "devstack-precise", "--json", "-f", invalidYaml());
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, "");
  });
});

describe("the last-resort guard", () => {
  const LINE =
    "nodepool: internal error: boom (this is a bug; rerun with NODEPOOL_DEBUG=1 for the stack trace)\n";

  it("turns an unexpected exception into one line and exit 1", () => {
    const io = captureIo();
    assert.equal(reportInternalError(new TypeError("boom"), io, false), 1);
    assert.equal(io.stderr(), LINE);
  });

  it("prints the stack with NODEPOOL_DEBUG=1", () => {
    const io = captureIo();
    assert.equal(reportInternalError(new TypeError("boom"), io, true), 1);
    assert.match(io.stderr(), /^TypeError: boom\n/);
    assert.match(io.stderr(), STACK_FRAME);
  });

  it("main() applies it to what a command throws", async () => {
    const io = captureIo();
    const throwing = {
      ...io,
      out: () => {
        throw new Error("boom");
      },
    };
    const saved = process.env.NODEPOOL_DEBUG;
    delete process.env.NODEPOOL_DEBUG;
    try {
      assert.equal(await main(["validate"], throwing), 1);
    } finally {
      if (saved !== undefined) process.env.NODEPOOL_DEBUG = saved;
    }
    assert.equal(io.stderr(), LINE);
  });

  it("a reader that closes the pipe early (| head) gets no EPIPE stack trace", async () => {
    const child = spawn(process.execPath, ["bin/nodepool.js", "plan", "-i", SEED, "--now", NOW, "--json"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on("close", done));
    assert.equal(stderr, "");
    assert.equal(code, 0);
  });
});
