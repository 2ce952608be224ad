// The repository boundary, where files are opened: every file images.yaml names is read here
// and nowhere else. A pull request controls images.yaml, so a path in it must not reach
// clouds.yaml, SSH keys or /etc: it has to resolve, after symlinks, to a regular file inside
// the repository that holds images.yaml (or images.yaml's directory when there is no repo).
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  openSync,
  readlinkSync,
  readSync,
  realpathSync,
} from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { err, ok, type Result } from "../core/result.js";
import { MAX_USER_DATA_BYTES, repoPathProblem } from "./repo-path.js";
import { decodeUtf8, describeBadByte } from "./utf8.js";

export const NOT_FOUND = "not found (paths are relative to the directory of images.yaml)";

export interface RepoBoundary {
  /** Paths in images.yaml are relative to this directory (images.yaml's own). */
  base: string;
  /** Nothing outside this directory (real path, symlinks resolved) is ever read. */
  root: string;
}

export function boundaryOf(imagesFile: string): RepoBoundary {
  const base = dirname(resolve(imagesFile));
  const real = realOrSelf(base);
  for (let dir = real; ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".git"))) return { base, root: dir };
    if (dirname(dir) === dir) return { base, root: real };
  }
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The text of a file images.yaml names, or why it may not be read (a phrase after its path). */
export function readRepoFile(boundary: RepoBoundary, path: string): Result<string, string> {
  const form = repoPathProblem(path);
  if (form !== undefined) return err(form);
  const full = resolve(boundary.base, path);
  let fd: number;
  try {
    // Never open a file outside: even an open can act (a device, a FIFO's writer).
    const outside = outsideProblem(boundary, realpathSync(full));
    if (outside !== undefined) return err(outside);
    // O_NONBLOCK: opening a FIFO must not hang the loader; fstat below refuses it.
    fd = openSync(full, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    return err(openProblem(error));
  }
  try {
    // And judge the file that was opened: a symlink swapped since the check must not win.
    const outside = outsideProblem(boundary, openedPath(fd, full));
    if (outside !== undefined) return err(outside);
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return err("is a directory, not a file");
    if (!stat.isFile()) return err("is not a regular file (a FIFO, socket or device)");
    if (stat.size > MAX_USER_DATA_BYTES) return err(tooBig(stat.size));
    const buffer = Buffer.alloc(MAX_USER_DATA_BYTES + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) {
      n = readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > MAX_USER_DATA_BYTES) return err(tooBig(length));
    const decoded = decodeUtf8(buffer.subarray(0, length));
    return decoded.ok ? ok(decoded.text) : err(`is ${describeBadByte(decoded)}`);
  } catch (error) {
    return err(`cannot be read: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

function outsideProblem(boundary: RepoBoundary, real: string): string | undefined {
  const inside = relative(boundary.root, real);
  if (inside !== "" && inside.split(sep)[0] !== ".." && !isAbsolute(inside)) return undefined;
  return `resolves to ${real}, outside the repository at ${boundary.root}`;
}

function openedPath(fd: number, fallback: string): string {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return realOrSelf(fallback);
  }
}

function openProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return NOT_FOUND;
  if (code === "ELOOP") return "is a symlink loop";
  if (code === "EACCES") return "cannot be read: permission denied";
  return `cannot be opened: ${(error as Error).message}`;
}

const tooBig = (size: number) =>
  `is ${size} bytes; Nova takes at most ${MAX_USER_DATA_BYTES} bytes of user data (65535 once base64-encoded)`;
