// One nodepool command at a time changes images.yaml in a repository: without this, two
// reverts that both read the file before either commits would each write their own version,
// and the second commit would silently undo the first. Held from reading the file to the
// commit; a second command waits, then reads what the first committed.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { err, type Result } from "../core/result.js";
import type { Repository } from "./repository.js";

export const LOCK_NAME = "nodepool-images.lock";

export interface LockOptions {
  /** How long to wait for another nodepool command to finish. */
  waitMs?: number;
}

export async function withRepositoryLock<T, E>(
  repo: Repository,
  work: () => Promise<Result<T, E>>,
  lockFailure: (message: string) => E,
  options: LockOptions = {},
): Promise<Result<T, E>> {
  const path = join(repo.gitDir, LOCK_NAME);
  const deadline = Date.now() + (options.waitMs ?? 15_000);
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        return err(lockFailure(`cannot create ${path}: ${(error as Error).message}`));
      }
      if (Date.now() > deadline) return err(lockFailure(heldMessage(path)));
      await sleep(50 + Math.random() * 50);
    }
  }
  try {
    return await work();
  } finally {
    unlinkSync(path);
  }
}

function heldMessage(path: string): string {
  let holder = "";
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    holder = ` by process ${pid}${isRunning(pid) ? "" : ", which is no longer running"}`;
  } catch {
    // gone meanwhile, or unreadable: say nothing about the holder
  }
  return (
    `another nodepool command is changing images.yaml (${path} is held${holder}). ` +
    "Try again when it has finished; if no nodepool command is running, remove that file."
  );
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
