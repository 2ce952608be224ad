// Read images.yaml and its setup scripts from disk; everything else is parse.ts.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { LoadedConfig } from "./definition.js";
import type { LocatedIssue } from "./issues.js";
import { parseConfig } from "./parse.js";
import { err, type Result } from "../core/result.js";

export const DEFAULT_CONFIG_FILE = "images.yaml";

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

export function loadConfig(file: string): Result<LoadedConfig, LocatedIssue[]> {
  const text = readText(file);
  if (text === undefined) {
    return err([{ file, line: 0, col: 0, path: "", message: "cannot read the file (does it exist?)" }]);
  }
  const base = dirname(resolve(file));
  return parseConfig(text, { file, readScript: (path) => readText(resolve(base, path)) });
}
