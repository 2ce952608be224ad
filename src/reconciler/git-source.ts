// Desired state for the reconciler: the commits of one branch, never a work tree. It fetches
// the branch (or, with fetch off, reads the local branch another tool keeps up to date),
// checks the new commit out in a worktree of its own, and validates its images.yaml there. A
// valid commit becomes the applied one; an invalid one is reported once and the last good
// commit stays applied. Uncommitted edits in anyone's checkout never reach a round.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { LoadedConfig } from "../config/definition.js";
import { formatIssue } from "../config/issues.js";
import { loadConfig } from "../config/load.js";
import { err, ok, type Result } from "../core/result.js";
import { gitMessage, strictGit } from "../git/repository.js";

export interface GitSourceOptions {
  /** A clone of the repository that holds images.yaml. Its work tree and HEAD are never touched. */
  repo: string;
  remote: string;
  branch: string;
  /** false: follow refs/heads/BRANCH as something else (a git-sync sidecar, a person) moves it. */
  fetch: boolean;
  /** images.yaml's path inside the repository. */
  imagesPath: string;
  /** Where the applied commit is checked out (a git worktree, recreated on start). */
  appliedDir: string;
}

export type SyncOutcome =
  | { kind: "unchanged" }
  | { kind: "applied"; commit: string; previous?: string }
  | { kind: "rejected"; commit: string; problems: string[] }
  | { kind: "error"; message: string };

export class GitSource {
  /** The commit whose images.yaml rounds apply; undefined until a valid one was seen. */
  applied?: { commit: string; config: LoadedConfig };
  /** Commits found invalid: reported once each, never applied. */
  private readonly rejected = new Set<string>();
  private readonly git;

  constructor(readonly options: GitSourceOptions) {
    this.git = strictGit(resolve(options.repo));
  }

  /** The applied commit's images.yaml, as the Pulumi program should read it. */
  get imagesFile(): string {
    return join(this.options.appliedDir, this.options.imagesPath);
  }

  private get ref(): string {
    const { remote, branch, fetch } = this.options;
    return fetch ? `refs/remotes/${remote}/${branch}` : `refs/heads/${branch}`;
  }

  /** Fetch (when asked), then apply the branch's commit if it is new and valid. */
  async sync(): Promise<SyncOutcome> {
    const { remote, branch, fetch } = this.options;
    try {
      if (fetch) await this.git.raw(["fetch", "--quiet", remote, `+refs/heads/${branch}:${this.ref}`]);
    } catch (error) {
      return { kind: "error", message: `git fetch ${remote} ${branch}: ${gitMessage(error)}` };
    }
    let commit: string;
    try {
      commit = (await this.git.raw(["rev-parse", "--verify", "--quiet", `${this.ref}^{commit}`])).trim();
    } catch {
      return {
        kind: "error",
        message: `no branch ${fetch ? `${remote}/` : ""}${branch} in ${this.options.repo}`,
      };
    }
    if (commit === this.applied?.commit || this.rejected.has(commit)) return { kind: "unchanged" };
    const checkedOut = await this.checkout(commit);
    if (!checkedOut.ok) return { kind: "error", message: checkedOut.error };
    const loaded = loadConfig(this.imagesFile);
    if (!loaded.ok) {
      this.rejected.add(commit);
      // Back to the last good commit, so the program keeps reading what is applied.
      if (this.applied) await this.checkout(this.applied.commit);
      return { kind: "rejected", commit, problems: loaded.error.map(formatIssue) };
    }
    const previous = this.applied?.commit;
    this.applied = { commit, config: loaded.value };
    return { kind: "applied", commit, ...(previous ? { previous } : {}) };
  }

  /** The applied worktree at `commit`, made afresh the first time (a restart keeps no state). */
  private async checkout(commit: string): Promise<Result<void, string>> {
    const dir = this.options.appliedDir;
    try {
      if (!existsSync(join(dir, ".git"))) {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dirname(dir), { recursive: true });
        await this.git.raw(["worktree", "prune"]);
        await this.git.raw(["worktree", "add", "--quiet", "--detach", "--force", dir, commit]);
      } else await strictGit(dir).raw(["checkout", "--quiet", "--force", "--detach", commit]);
      return ok(undefined);
    } catch (error) {
      return err(`checking out ${commit.slice(0, 12)} in ${dir}: ${gitMessage(error)}`);
    }
  }

  /** Removes the applied worktree (on exit: nothing of the reconciler is left in the repo). */
  async close(): Promise<void> {
    try {
      await this.git.raw(["worktree", "remove", "--force", this.options.appliedDir]);
    } catch {
      rmSync(this.options.appliedDir, { recursive: true, force: true });
    }
  }
}
