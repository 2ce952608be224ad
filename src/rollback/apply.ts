// Carry out a rollback: check the repository, then under a lock read images.yaml, decide the
// change, edit the text, validate it, and write + commit it (or show it, for --dry-run).
// Nothing is written or committed unless every step before it succeeded.
import { editPins } from "../config/edit-pins.js";
import { formatIssue } from "../config/issues.js";
import { parseConfigFile, readConfigText } from "../config/load.js";
import { err, ok, type Result } from "../core/result.js";
import { commitOnCurrentBranch, commitOnNewBranch, deleteNewBranch, pushBranch } from "../git/commit.js";
import { diffTexts } from "../git/diff.js";
import { withRepositoryLock } from "../git/lock.js";
import {
  branchExists,
  fileState,
  indexLockPath,
  isValidBranchName,
  openRepository,
  pathInRepository,
  readHead,
  remoteExists,
  type Repository,
} from "../git/repository.js";
import { editsOf, type Rollback, type RollbackPlanner } from "./change.js";
import { refused, usage, type RollbackFailure } from "./failure.js";
import { commitMessage } from "./message.js";

export interface ApplyOptions {
  file: string;
  /** The operator's reason, added to the commit message. */
  reason?: string;
  dryRun: boolean;
  /** Commit images.yaml even if it has uncommitted changes (they go into the commit). */
  allowDirty: boolean;
  /** Commit on this new branch instead of the checked-out one; the work tree is untouched. */
  branch?: string;
  /** Push the new branch to `remote`. */
  push: boolean;
  remote: string;
  /** How long to wait for another nodepool command holding the repository lock. */
  lockWaitMs?: number;
}

interface Common {
  rollback: Rollback;
  message: string;
}

export type Outcome =
  | (Common & { kind: "dry-run"; diff: string; warnings: string[] })
  | (Common & { kind: "committed"; commit: string; branch?: string; newBranch: boolean; pushedTo?: string })
  | { kind: "unchanged"; rollback: Rollback };

/**
 * `prepare` reads what the change depends on (the inventory) and is called only once the
 * repository has passed its checks, so a refusal costs no cloud read.
 */
export async function applyRollback(
  prepare: () => Promise<Result<RollbackPlanner, RollbackFailure>>,
  options: ApplyOptions,
): Promise<Result<Outcome, RollbackFailure>> {
  if (options.push && options.branch === undefined) {
    return err(usage("--push needs --branch NAME: the change is pushed as a new branch for a pull request"));
  }
  const repo = await openRepository(options.file);
  if (!repo.ok) return err(refused(repo.error));
  const ready = await checkRepository(repo.value, options);
  if (!ready.ok) return ready;
  const planner = await prepare();
  if (!planner.ok) return planner;
  const work = () => decideAndCommit(repo.value, ready.value, planner.value, options);
  if (options.dryRun) return work();
  return withRepositoryLock(repo.value, work, refused, { waitMs: options.lockWaitMs });
}

async function checkRepository(
  repo: Repository,
  options: ApplyOptions,
): Promise<Result<{ path: string; branch?: string }, RollbackFailure>> {
  const path = pathInRepository(repo, options.file);
  if (!path.ok) return err(refused(path.error));
  const head = await readHead(repo);
  if (!head.ok) return err(refused(head.error));
  // A dry run writes nothing, so it works on CI's detached checkouts too.
  if (head.value.branch === undefined && options.branch === undefined && !options.dryRun) {
    return err(
      refused(
        `HEAD is detached (at ${head.value.commit.slice(0, 12)}): check out the branch to commit on, ` +
          "or pass --branch NAME to commit on a new branch",
      ),
    );
  }
  if (options.branch !== undefined) {
    if (!(await isValidBranchName(repo, options.branch))) {
      return err(usage(`"${options.branch}" is not a valid branch name`));
    }
    if (await branchExists(repo, options.branch)) {
      return err(refused(`branch ${options.branch} already exists: choose a new name for --branch`));
    }
    if (options.push && !(await remoteExists(repo, options.remote))) {
      return err(refused(`no git remote "${options.remote}" to push to: add it, or name one with --remote`));
    }
  }
  return ok({ path: path.value, branch: head.value.branch });
}

async function decideAndCommit(
  repo: Repository,
  where: { path: string; branch?: string },
  planner: RollbackPlanner,
  options: ApplyOptions,
): Promise<Result<Outcome, RollbackFailure>> {
  const { file } = options;
  // Checked under the repository lock: another nodepool command's own commit is not a reason.
  const indexLock = indexLockPath(repo);
  if (indexLock !== undefined) {
    return err(
      refused(
        `git's index is locked (${indexLock} exists): another git command is running in this repository. ` +
          "Wait for it to finish and try again; if no git command is running, remove that file.",
      ),
    );
  }
  const state = await fileState(repo, where.path);
  if (state === "untracked" && !options.dryRun) {
    return err(refused(`${file} is not tracked by git: commit it first`));
  }
  if (state === "changed" && !options.allowDirty && !options.dryRun) {
    return err(
      refused(
        `${file} has uncommitted changes: commit or stash them first, ` +
          "or pass --allow-dirty to include them in this commit",
      ),
    );
  }
  const read = readConfigText(file);
  if (!read.ok) return err(refused(read.error.map(formatIssue).join("\n")));
  const before = read.value;
  const config = parseText(before, file);
  if (!config.ok) return err(refused(`${file} is not valid; fix it first:\n${config.error}`));

  const rollback = planner(config.value);
  if (!rollback.ok) return rollback;
  if (rollback.value.changes.length === 0) return ok({ kind: "unchanged", rollback: rollback.value });
  const edited = editPins(before, editsOf(rollback.value));
  if (!edited.ok) return err(refused(`cannot edit ${file}: ${edited.error}`));
  const after = edited.value;
  const valid = parseText(after, file);
  if (!valid.ok)
    return err(refused(`the change would make ${file} invalid, so nothing was written:\n${valid.error}`));

  const message = commitMessage(rollback.value, options.reason);
  const common = { rollback: rollback.value, message };
  if (options.dryRun) {
    const warnings = dryRunWarnings(file, state, where.branch, options);
    return ok({ ...common, kind: "dry-run", diff: await diffTexts(where.path, before, after), warnings });
  }

  const change = { file, path: where.path, before, after, message };
  if (options.branch === undefined) {
    const commit = await commitOnCurrentBranch(repo, change);
    if (!commit.ok) return err(refused(commit.error));
    return ok({ ...common, kind: "committed", commit: commit.value, branch: where.branch, newBranch: false });
  }
  const commit = await commitOnNewBranch(repo, change, options.branch);
  if (!commit.ok) return err(refused(commit.error));
  if (!options.push) {
    return ok({
      ...common,
      kind: "committed",
      commit: commit.value,
      branch: options.branch,
      newBranch: true,
    });
  }
  const pushed = await pushBranch(repo, options.remote, options.branch);
  if (!pushed.ok) {
    const undone = await deleteNewBranch(repo, options.branch, commit.value);
    const left = undone.ok
      ? "nothing was committed"
      : `branch ${options.branch} is left behind (${undone.error})`;
    return err(refused(`git push to ${options.remote} failed, ${left}:\n${pushed.error}`));
  }
  return ok({
    ...common,
    kind: "committed",
    commit: commit.value,
    branch: options.branch,
    newBranch: true,
    pushedTo: options.remote,
  });
}

/** What the real run would refuse or include, said beside a dry run's diff. */
function dryRunWarnings(
  file: string,
  state: string,
  branch: string | undefined,
  options: ApplyOptions,
): string[] {
  const warnings: string[] = [];
  if (state === "untracked")
    warnings.push(`${file} is not tracked by git: without --dry-run, commit it first`);
  if (state === "changed" && !options.allowDirty) {
    warnings.push(
      `${file} has uncommitted changes: the diff is against the file as it is; without --dry-run, ` +
        "commit or stash them first, or pass --allow-dirty",
    );
  }
  if (branch === undefined && options.branch === undefined) {
    warnings.push("HEAD is detached: without --dry-run, pass --branch NAME to commit on a new branch");
  }
  return warnings;
}

/** images.yaml text → config, its setup scripts read beside it; problems one per line. */
function parseText(text: string, file: string) {
  const parsed = parseConfigFile(text, file);
  return parsed.ok ? parsed : err(parsed.error.map(formatIssue).join("\n"));
}
