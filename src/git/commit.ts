// Two ways to commit a new images.yaml: on the checked-out branch (the file in the work tree
// changes too), or on a new branch for a pull request, built with plumbing so the work tree,
// the index and HEAD stay exactly as they were.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { err, ok, type Result } from "../core/result.js";
import { writeFileAtomically } from "./atomic-write.js";
import { gitMessage, strictGit, type Repository } from "./repository.js";

export interface FileCommit {
  /** The file on disk and as git names it. */
  file: string;
  path: string;
  before: string;
  after: string;
  message: string;
}

/**
 * Write the file and commit only it (`--only`: whatever else is staged stays staged, out of
 * this commit). When the commit fails the file gets its old content back.
 */
export async function commitOnCurrentBranch(
  repo: Repository,
  change: FileCommit,
): Promise<Result<string, string>> {
  const written = writeFileAtomically(change.file, change.after);
  if (!written.ok) return written;
  try {
    await repo.git.raw(["commit", "--only", "--quiet", "-m", change.message, "--", change.path]);
    return ok((await repo.git.raw(["rev-parse", "HEAD"])).trim());
  } catch (error) {
    const restored = writeFileAtomically(change.file, change.before);
    const note = restored.ok ? "" : `\nand restoring ${change.file} failed too: ${restored.error}`;
    return err(`git commit failed, ${change.file} is unchanged: ${gitMessage(error)}${note}`);
  }
}

/**
 * Commit the new content on top of HEAD as a new branch, without touching the work tree:
 * a blob, a tree from a private index, a commit, then the branch ref, created only if it
 * does not exist yet (so nothing is overwritten, and a failure leaves no branch).
 */
export async function commitOnNewBranch(
  repo: Repository,
  change: FileCommit,
  branch: string,
): Promise<Result<string, string>> {
  const scratch = mkdtempSync(join(tmpdir(), "nodepool-commit-"));
  try {
    const content = join(scratch, "content");
    const message = join(scratch, "message");
    writeFileSync(content, change.after);
    writeFileSync(message, change.message);
    const privateIndex = strictGit(repo.root, { allowEnvironment: ["GIT_INDEX_FILE"] }).env({
      ...plainEnvironment(),
      GIT_INDEX_FILE: join(scratch, "index"),
    });
    const blob = (await repo.git.raw(["hash-object", "-w", `--path=${change.path}`, content])).trim();
    const listed = (await repo.git.raw(["ls-tree", "HEAD", "--", change.path])).trim();
    const mode = listed === "" ? "100644" : listed.split(" ")[0]!;
    await privateIndex.raw(["read-tree", "HEAD"]);
    await privateIndex.raw(["update-index", "--add", "--cacheinfo", `${mode},${blob},${change.path}`]);
    const tree = (await privateIndex.raw(["write-tree"])).trim();
    const commit = (await repo.git.raw(["commit-tree", tree, "-p", "HEAD", "-F", message])).trim();
    await repo.git.raw([
      "update-ref",
      "-m",
      `nodepool: ${firstLine(change.message)}`,
      `refs/heads/${branch}`,
      commit,
      "",
    ]);
    return ok(commit);
  } catch (error) {
    return err(`git could not commit on the new branch ${branch}: ${gitMessage(error)}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Undo commitOnNewBranch, only if the branch still points at that commit. */
export async function deleteNewBranch(
  repo: Repository,
  branch: string,
  commit: string,
): Promise<Result<void, string>> {
  try {
    await repo.git.raw(["update-ref", "-d", `refs/heads/${branch}`, commit]);
    return ok(undefined);
  } catch (error) {
    return err(gitMessage(error));
  }
}

export async function pushBranch(
  repo: Repository,
  remote: string,
  branch: string,
): Promise<Result<void, string>> {
  try {
    await repo.git.raw([
      "push",
      "--quiet",
      "--set-upstream",
      remote,
      `refs/heads/${branch}:refs/heads/${branch}`,
    ]);
    return ok(undefined);
  } catch (error) {
    return err(gitMessage(error));
  }
}

/**
 * What plumbing needs from the environment. simple-git refuses a task given GIT_* (or
 * EDITOR, PAGER, …) variables it was not told to allow, so the ambient ones stay out.
 */
function plainEnvironment(): Record<string, string> {
  const keep = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TMPDIR", "SystemRoot"];
  return Object.fromEntries(
    keep.flatMap((key) => (process.env[key] === undefined ? [] : [[key, process.env[key]!]])),
  );
}

const firstLine = (text: string) => text.split("\n")[0]!;
