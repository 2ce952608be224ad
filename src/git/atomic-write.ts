// Write a file so that a reader (or a crash) sees the old content or the new, never half:
// write a temporary file in the same directory (same file system), then rename it over.
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  fsyncSync,
  lstatSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { err, ok, type Result } from "../core/result.js";

/** Replaces `path` (or creates it); the error is "cannot write PATH: why". */
export function writeFileAtomically(path: string, content: string): Result<void, string> {
  const written = writeAtomically(path, content);
  return written.ok ? written : err(`cannot write ${path}: ${written.error}`);
}

/** As writeFileAtomically; the error is only the reason, for callers that word their own. */
export function writeAtomically(path: string, content: string): Result<void, string> {
  const target = targetOf(path);
  if (!target.ok) return target;
  const { file, mode } = target.value;
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const fd = openSync(temp, "wx");
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (mode !== undefined) chmodSync(temp, mode);
    renameSync(temp, file);
    syncDirectory(dir);
    return ok(undefined);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    return err(reasonOf(error, dir));
  }
}

/**
 * The rename is durable only once the directory is: without this a crash can bring back the
 * old name. Best effort: the file is replaced already, and not every platform can open a
 * directory (Windows) or fsync one (some network file systems).
 */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // see above
  }
}

/** The file to replace (through a symlink, the file it points at) and its mode; or a new file. */
function targetOf(path: string): Result<{ file: string; mode?: number }, string> {
  try {
    const file = realpathSync(path);
    const stats = statSync(file);
    if (stats.isDirectory()) return err("it is a directory");
    if (!stats.isFile()) return err("it is not a regular file");
    return ok({ file, mode: stats.mode & 0o7777 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") return err(reasonOf(error, dirname(path)));
    if (isSymlink(path)) return err("it is a symbolic link to a file that does not exist");
    return ok({ file: resolve(path) });
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** An fs error in words, for a file to be written in `dir`. */
function reasonOf(error: unknown, dir: string): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case "ENOENT":
      return `the directory ${dir} does not exist`;
    case "ENOTDIR":
      return `${dir} is not a directory`;
    case "EACCES":
    case "EPERM":
      return `permission denied in ${dir}`;
    case "EROFS":
      return `${dir} is on a read-only file system`;
    case "ENOSPC":
      return "no space left on the device";
    default:
      return (error as Error).message;
  }
}
