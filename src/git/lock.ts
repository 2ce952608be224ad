// One nodepool command at a time changes images.yaml in a repository: without this, two
// reverts that both read the file before either commits would each write their own version,
// and the second commit would silently undo the first. Held from reading the file to the
// commit; a second command waits, then reads what the first committed.
//
// The lock file says who holds it (host, process, since when) from the moment it exists: the
// record is written to a temporary file and hard-linked into place, which fails if a lock is
// there, so no reader ever sees it empty. nodepool removes only its own lock: on release, on
// exit and on SIGINT/SIGTERM/SIGHUP. Any other is reported with what to do, never taken over:
// a breaker cannot be sure the file it removes is still the one it judged.
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  readlinkSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { err, ok, type Result } from "../core/result.js";
import type { Repository } from "./repository.js";

export const LOCK_NAME = "nodepool-images.lock";

/** Longer than any command holds the lock (read, commit, push): an older one was left by a crash. */
export const STALE_AFTER_MS = 10 * 60_000;

const RELEASED_ON: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

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
  const taken = await takeLock(path, options.waitMs ?? 15_000);
  if (!taken.ok) return err(lockFailure(taken.error));
  const release = () => releaseLock(path, taken.value);
  const stopWatching = releaseOnSignals(release);
  try {
    return await work();
  } finally {
    stopWatching();
    release();
  }
}

/** The lock's content once taken: what release compares before it removes the file. */
async function takeLock(path: string, waitMs: number): Promise<Result<string, string>> {
  const deadline = Date.now() + waitMs;
  const content = formatLockRecord(newLockRecord());
  for (;;) {
    const created = createWhole(path, content);
    if (!created.ok) return created;
    if (created.value) return ok(content);
    const holder = readHolder(path);
    if (holder === undefined) continue; // released in between: try again at once
    const verdict = judgeHolder(path, holder, thisMachine(), Date.now(), isRunning);
    if (verdict.final || Date.now() >= deadline) return err(verdict.message);
    await sleep(50 + Math.random() * 50);
  }
}

/** true: created with `content`; false: a lock is there. link() is the O_EXCL step. */
function createWhole(path: string, content: string): Result<boolean, string> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    const fd = openSync(temp, "wx");
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(temp, path);
    return ok(true);
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).syscall === "link" &&
      (error as NodeJS.ErrnoException).code === "EEXIST"
    ) {
      return ok(false);
    }
    return err(`cannot create ${path}: ${(error as Error).message}`);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
  }
}

/** Only our own lock: if it was removed by hand and another command took it, it is theirs. */
function releaseLock(path: string, content: string): void {
  try {
    if (readFileSync(path, "utf8") === content) unlinkSync(path);
  } catch {
    // removed by hand already: nothing to release
  }
}

/** Until the returned function is called, a signal or exit removes the lock first. */
function releaseOnSignals(release: () => void): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    stop();
    release();
    // Our handler gone, the signal's default action ends the process with the status a shell
    // expects (130 for Ctrl-C); other handlers, if any, decide instead.
    process.kill(process.pid, signal);
  };
  const stop = () => {
    for (const signal of RELEASED_ON) process.off(signal, onSignal);
    process.off("exit", release);
  };
  for (const signal of RELEASED_ON) process.on(signal, onSignal);
  process.on("exit", release);
  return stop;
}

// ---- The record, and what a waiting command makes of someone else's (pure) ----

export interface Machine {
  host: string;
  /** Where pids mean the same (boot and pid namespace on Linux); "" where unknown. */
  pidSpace: string;
}

export interface LockRecord extends Machine {
  pid: number;
  /** ISO 8601, by the holder's clock. */
  startedAt: string;
  /** Tells our lock from one written after ours was removed by hand. */
  token: string;
}

export type Holder = { record: LockRecord } | { unreadable: string; modifiedAtMs: number };

export const formatLockRecord = (record: LockRecord) => `${JSON.stringify(record)}\n`;

export function parseLockRecord(text: string): LockRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { host, pidSpace, pid, startedAt, token } = value as Record<string, unknown>;
  const valid =
    typeof host === "string" &&
    host !== "" &&
    typeof pidSpace === "string" &&
    typeof pid === "number" &&
    Number.isInteger(pid) &&
    pid > 0 &&
    typeof startedAt === "string" &&
    !Number.isNaN(Date.parse(startedAt)) &&
    typeof token === "string";
  return valid ? { host, pidSpace, pid, startedAt, token } : undefined;
}

/**
 * final: waiting cannot help (the holder is gone, or nobody can tell who it is), so say so at
 * once. A pid is looked up only in the pid space it was written in: on another host, in
 * another container or before a reboot it names some other process, so age decides there.
 */
export function judgeHolder(
  path: string,
  holder: Holder,
  here: Machine,
  nowMs: number,
  isRunning: (pid: number) => boolean,
): { final: boolean; message: string } {
  const remove = `remove it (rm ${path})`;
  if ("unreadable" in holder) {
    return {
      final: true,
      message:
        `${path} ${holder.unreadable}: it does not say who holds it (last changed ${ago(nowMs - holder.modifiedAtMs)} ago). ` +
        "nodepool writes its lock whole, so this is left by a crash of an older nodepool or by another tool. " +
        `If no nodepool command is running, ${remove} and try again.`,
    };
  }
  const { host, pid, startedAt } = holder.record;
  const age = ago(nowMs - Date.parse(startedAt));
  if (host === here.host && holder.record.pidSpace === here.pidSpace) {
    if (!isRunning(pid)) {
      return {
        final: true,
        message:
          `${path} was left by process ${pid} on this host, which is no longer running (taken ${age} ago, ` +
          `at ${startedAt}): no nodepool command holds it, so ${remove} and try again.`,
      };
    }
    return {
      final: false,
      message:
        `another nodepool command is changing images.yaml: ${path} is held by process ${pid} on this host ` +
        `since ${startedAt} (${age} ago), and it is still running. Try again when it has finished; ` +
        `if process ${pid} is not a nodepool command, ${remove}.`,
    };
  }
  const where = host === here.host ? `on ${host} in another container or before a reboot` : `on host ${host}`;
  const unseen = `nodepool cannot see processes on ${host} from here`;
  if (nowMs - Date.parse(startedAt) > STALE_AFTER_MS) {
    return {
      final: true,
      message:
        `${path} was taken ${age} ago by process ${pid} ${where} (at ${startedAt}), longer than any nodepool ` +
        `command holds it: it was probably left by a crash. ${unseen}; if no nodepool command is running on ` +
        `${host}, ${remove} and try again.`,
    };
  }
  return {
    final: false,
    message:
      `another nodepool command is changing images.yaml: ${path} is held by process ${pid} ${where} ` +
      `since ${startedAt} (${age} ago). ${unseen}: try again when it has finished; if no nodepool command ` +
      `is running on ${host}, ${remove}.`,
  };
}

/** "40 s", "12 min", "2.0 h"; a time ahead of our clock (another host's) counts as now. */
function ago(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

// ---- Facts about this process and the lock on disk ----

function newLockRecord(): LockRecord {
  return {
    ...thisMachine(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString("hex"),
  };
}

let machine: Machine | undefined;

export function thisMachine(): Machine {
  machine ??= { host: hostname(), pidSpace: readPidSpace() };
  return machine;
}

/** Linux: the boot and the pid namespace; a pid means one process only within both. */
function readPidSpace(): string {
  try {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    return `${boot}/${readlinkSync("/proc/self/ns/pid")}`;
  } catch {
    return "";
  }
}

/** undefined: the lock is gone. */
function readHolder(path: string): Holder | undefined {
  let text: string;
  let modifiedAtMs: number;
  try {
    text = readFileSync(path, "utf8");
    modifiedAtMs = statSync(path).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return { unreadable: `cannot be read (${(error as Error).message})`, modifiedAtMs: Date.now() };
  }
  const record = parseLockRecord(text);
  if (record !== undefined) return { record };
  if (text.trim() === "") return { unreadable: "is empty", modifiedAtMs };
  const firstLine = text.trim().split("\n")[0]!.slice(0, 60);
  return { unreadable: `is not a nodepool lock (${JSON.stringify(firstLine)})`, modifiedAtMs };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
