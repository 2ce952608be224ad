// The git repository that holds images.yaml: where it is, what HEAD is, whether the file is
// clean and git is free. Every rollback command checks these before it writes anything.
import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { simpleGit, type SimpleGit, type SimpleGitOptions } from "simple-git";
import { err, ok, type Result } from "../core/result.js";

export interface Repository {
  git: SimpleGit;
  /** The work tree's top directory. */
  root: string;
  /** .git (or the worktree's git dir): where git's own locks live. */
  gitDir: string;
}

/**
 * simple-git resolves a command that failed without printing to stderr (`--quiet`); here
 * every non-zero exit is an error, so a failed step can never pass for a done one.
 */
export function strictGit(baseDir: string, options: Partial<SimpleGitOptions> = {}): SimpleGit {
  return simpleGit({
    baseDir,
    ...options,
    errors: (error, result) =>
      error ?? (result.exitCode === 0 ? undefined : new Error(`git exited with status ${result.exitCode}`)),
  });
}

/** Git's message without simple-git's wrapping, on one line per line git printed. */
export function gitMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.trim().split("\n").filter(Boolean).slice(0, 6).join("\n");
}

/** The repository containing `file`, for a person to be told what to do when there is none. */
export async function openRepository(file: string): Promise<Result<Repository, string>> {
  const dir = dirname(file);
  if (!isDirectory(dir)) {
    return err(`${file}: cannot read the file: ${dir} is not a directory that exists`);
  }
  // GIT_DIR & co. are stripped by simple-git's environment guard: the file's place decides.
  const git = strictGit(dir);
  try {
    const [root, gitDir] = (await git.raw(["rev-parse", "--show-toplevel", "--absolute-git-dir"]))
      .trim()
      .split("\n");
    if (!root || !gitDir) return err(notARepository(file));
    return ok({ git: strictGit(root), root: realpathSync(root), gitDir });
  } catch {
    return err(notARepository(file));
  }
}

function notARepository(file: string): string {
  return (
    `${file} is not inside a git repository: nodepool records pins and rejected builds as git ` +
    "commits. Run it in a clone of the repository that holds images.yaml."
  );
}

/** `file` as git names it inside the repository (forward slashes); it must exist. */
export function pathInRepository(repo: Repository, file: string): Result<string, string> {
  let real: string;
  try {
    real = realpathSync(file);
  } catch (error) {
    return err(unreadable(file, error));
  }
  const path = relative(repo.root, real);
  if (path.startsWith("..")) return err(`${file} is outside the repository at ${repo.root}`);
  return ok(path.split(sep).join("/"));
}

/** Why `file` cannot be read, in the words `nodepool validate` uses. */
function unreadable(file: string, error: unknown): string {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
    return `${file}: cannot read the file: ${(error as Error).message}`;
  }
  const link = linkTarget(file);
  return link === undefined
    ? `${file}: cannot read the file (does it exist?)`
    : `${file}: cannot read the file: it is a symbolic link to ${link}, which does not exist`;
}

/** What `file` points at, if it is a symbolic link. */
function linkTarget(file: string): string | undefined {
  try {
    return lstatSync(file).isSymbolicLink() ? readlinkSync(file) : undefined;
  } catch {
    return undefined;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export interface Head {
  commit: string;
  /** The checked-out branch; undefined when HEAD is detached. */
  branch?: string;
}

export async function readHead(repo: Repository): Promise<Result<Head, string>> {
  let commit: string;
  try {
    commit = (await repo.git.raw(["rev-parse", "--verify", "HEAD^{commit}"])).trim();
  } catch {
    return err("the repository has no commits yet: commit images.yaml first");
  }
  const branch = (await repo.git.raw(["symbolic-ref", "--quiet", "--short", "HEAD"]).catch(() => "")).trim();
  return ok(branch === "" ? { commit } : { commit, branch });
}

/** Another git process (or a crashed one) holds the index: committing now would fail. */
export function indexLockPath(repo: Repository): string | undefined {
  const lock = join(repo.gitDir, "index.lock");
  return existsSync(lock) ? lock : undefined;
}

export type FileState = "clean" | "changed" | "untracked";

export async function fileState(repo: Repository, path: string): Promise<FileState> {
  const status = await repo.git.raw(["status", "--porcelain=v1", "--untracked-files=all", "--", path]);
  if (status.trim() === "") return "clean";
  return status.startsWith("??") ? "untracked" : "changed";
}

export async function branchExists(repo: Repository, branch: string): Promise<boolean> {
  const found = await repo.git
    .raw(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`])
    .catch(() => "");
  return found.trim() !== "";
}

export async function isValidBranchName(repo: Repository, branch: string): Promise<boolean> {
  if (branch.startsWith("-")) return false;
  const normalised = await repo.git.raw(["check-ref-format", "--branch", branch]).catch(() => "");
  return normalised.trim() === branch;
}

export async function remoteExists(repo: Repository, remote: string): Promise<boolean> {
  const remotes = (await repo.git.raw(["remote"])).split("\n").map((line) => line.trim());
  return remotes.includes(remote);
}
