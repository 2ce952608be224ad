// Read images.yaml and the files it names from disk; everything else is parse.ts. Both go
// through the repository boundary (repo-files.ts): nothing else in the program or the CLI
// opens a path that images.yaml wrote.
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";
import type { LoadedConfig } from "./definition.js";
import type { LocatedIssue } from "./issues.js";
import { parseConfig } from "./parse.js";
import { boundaryOf, readRepoFile } from "./repo-files.js";
import { decodeUtf8, describeBadByte } from "./utf8.js";
import { err, ok, type Result } from "../core/result.js";

export const DEFAULT_CONFIG_FILE = "images.yaml";

/** images.yaml's text, strictly UTF-8 (a BOM is kept), or one positioned problem. */
export function readConfigText(file: string): Result<string, LocatedIssue[]> {
  const problem = (message: string, line = 0, col = 0) => err([{ file, line, col, path: "", message }]);
  let bytes: Buffer;
  try {
    // O_NONBLOCK and the check that it is a regular file: a FIFO named -f must not hang us.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    try {
      if (!fstatSync(fd).isFile()) return problem("not a regular file");
      bytes = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return problem(
      code === "ENOENT"
        ? "cannot read the file (does it exist?)"
        : `cannot read the file: ${(error as Error).message}`,
    );
  }
  return decodeConfigText(bytes, file);
}

/** Bytes of images.yaml as text; a byte that is not UTF-8 is a problem at its position. */
export function decodeConfigText(bytes: Uint8Array, file: string): Result<string, LocatedIssue[]> {
  const text = decodeUtf8(bytes);
  if (text.ok) return ok(text.text);
  return err([{ file, line: text.line, col: text.col, path: "", message: describeBadByte(text) }]);
}

/** images.yaml text, as if it were `file`: its setup scripts are read beside it. */
export function parseConfigFile(text: string, file: string): Result<LoadedConfig, LocatedIssue[]> {
  const boundary = boundaryOf(file);
  return parseConfig(text, { file, readScript: (path) => readRepoFile(boundary, path) });
}

export function loadConfig(file: string): Result<LoadedConfig, LocatedIssue[]> {
  const text = readConfigText(file);
  return text.ok ? parseConfigFile(text.value, file) : text;
}
