// Replace a file so that a reader (or a crash) sees the old content or the new, never half:
// write a temporary file in the same directory (same file system), then rename it over.
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { err, ok, type Result } from "../core/result.js";

export function writeFileAtomically(path: string, content: string): Result<void, string> {
  // Through a symlink, replace the file it points at, not the link.
  let file: string;
  try {
    file = realpathSync(path);
  } catch (error) {
    return err(`cannot write ${path}: ${(error as Error).message}`);
  }
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const fd = openSync(temp, "wx");
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(temp, statSync(file).mode & 0o7777);
    renameSync(temp, file);
    return ok(undefined);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    return err(`cannot write ${file}: ${(error as Error).message}`);
  }
}
