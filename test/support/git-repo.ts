// Real git repositories in temporary directories for the rollback tests: a config repo with
// images.yaml and its setup script, an inventory file beside it, and `nodepool` run in-process.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import type { ImageBuild, Inventory } from "../../src/plan/inventory.js";
import { captureIo } from "./capture-io.js";

/** The repo's own images.yaml: comments, aligned trailing comments, `pins: {}`. */
export const COMMENTED_IMAGES_YAML = readFileSync("images.yaml", "utf8");
const SETUP_SCRIPT = readFileSync("setup/prepare_devstack.sh", "utf8");

export const IMAGE = "devstack-precise";
/** The operator page's two builds in hpcloud-az2. */
export const PREVIOUS = 1394417686;
export const CURRENT = 1394514268;

/** git without the caller's GIT_* variables, so a test's repo is the only one in play. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("GIT_")) delete env[key];
  return { ...env, GIT_CONFIG_NOSYSTEM: "1", HOME: tmpdir() };
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    env: cleanEnv(),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export interface TempRepo {
  /** The temporary directory: the repo is in `repo/`, other files beside it. */
  base: string;
  repo: string;
  file: string;
  inventoryFile: string;
  git: (...args: string[]) => string;
  read: () => string;
  head: () => string;
  commitCount: () => number;
  writeInventory: (inventory: Inventory) => void;
  /** Runs `nodepool ARGS --file <images.yaml> --inventory <inventory.json>` in-process. */
  nodepool: (...args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
  cleanup: () => void;
}

export function makeRepo(
  imagesYaml: string = COMMENTED_IMAGES_YAML,
  inventory: Inventory = seedInventory(),
): TempRepo {
  const base = mkdtempSync(join(tmpdir(), "nodepool-rollback-"));
  const repo = join(base, "repo");
  mkdirSync(join(repo, "setup"), { recursive: true });
  const run = (...args: string[]) => git(repo, ...args);
  run("init", "--quiet", "--initial-branch=main");
  run("config", "user.name", "Rollback Test");
  run("config", "user.email", "rollback@example.org");
  run("config", "commit.gpgsign", "false");
  writeFileSync(join(repo, "images.yaml"), imagesYaml);
  writeFileSync(join(repo, "setup/prepare_devstack.sh"), SETUP_SCRIPT);
  run("add", "images.yaml", "setup/prepare_devstack.sh");
  run("commit", "--quiet", "-m", "images.yaml");
  const file = join(repo, "images.yaml");
  const inventoryFile = join(base, "inventory.json");
  const writeInventory = (value: Inventory) => writeFileSync(inventoryFile, JSON.stringify(value, null, 2));
  writeInventory(inventory);
  return {
    base,
    repo,
    file,
    inventoryFile,
    git: run,
    read: () => readFileSync(file, "utf8"),
    head: () => run("rev-parse", "HEAD").trim(),
    commitCount: () => Number(run("rev-list", "--count", "HEAD").trim()),
    writeInventory,
    nodepool: async (...args) => {
      const io = captureIo();
      const code = await main([...args, "--file", file, "--inventory", inventoryFile], io);
      return { code, stdout: io.stdout(), stderr: io.stderr() };
    },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

export function build(provider: string, version: number, overrides: Partial<ImageBuild> = {}): ImageBuild {
  return {
    provider,
    image: IMAGE,
    version,
    state: "ready",
    createdAt: version + 1800,
    cloudImageId: `${provider}-image-${version}`,
    templateServerId: `${provider}-server-${version}`,
    hostname: `${IMAGE}-${version}.template.openstack.org`,
    ...overrides,
  };
}

/** The seed's hpcloud-az2 builds (with its cloud ids) and two in rax-iad; read 0.75 h after CURRENT. */
export function seedInventory(
  extra: Partial<Record<"hpcloud-az2" | "rax-iad", ImageBuild[]>> = {},
): Inventory {
  const hpcloud = [
    build("hpcloud-az2", PREVIOUS, { cloudImageId: "387612", templateServerId: "4909797" }),
    build("hpcloud-az2", CURRENT, { cloudImageId: "388782", templateServerId: "4930213" }),
    ...(extra["hpcloud-az2"] ?? []),
  ];
  const rax = [build("rax-iad", 1394418000), build("rax-iad", 1394515000), ...(extra["rax-iad"] ?? [])];
  return {
    readAt: CURRENT + 2700,
    providers: {
      "hpcloud-az2": {
        provider: "hpcloud-az2",
        readable: true,
        images: hpcloud,
        templates: [],
        nodes: [],
        requests: [],
      },
      "rax-iad": { provider: "rax-iad", readable: true, images: rax, templates: [], nodes: [], requests: [] },
    },
  };
}

/** The lines a commit added and removed (no context, no headers). */
export function changedLines(repo: TempRepo, range = "HEAD~1..HEAD"): string[] {
  return repo
    .git("diff", "--unified=0", "--no-color", range)
    .split("\n")
    .filter((line) => /^[-+]/.test(line) && !/^(---|\+\+\+) /.test(line));
}
