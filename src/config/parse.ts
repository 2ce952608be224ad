// images.yaml text → a validated config, or every problem at once with file:line:col.
// Pure: the files it names come in through a lookup function (repo-files.ts on disk).
import { createHash } from "node:crypto";
import type { LoadedConfig } from "./definition.js";
import { formatPath, type ConfigIssue, type LocatedIssue } from "./issues.js";
import { locate } from "./positions.js";
import { configSchema } from "./schema.js";
import { schemaIssues } from "./schema-issues.js";
import { validateConfig } from "./validate.js";
import { parseYaml } from "./yaml-document.js";
import { err, ok, type Result } from "../core/result.js";

export interface ParseOptions {
  /** How to name the file in messages. */
  file: string;
  /** A setup script's text by the path written in images.yaml, or why it cannot be used. */
  readScript: (path: string) => Result<string, string>;
}

export function parseConfig(text: string, options: ParseOptions): Result<LoadedConfig, LocatedIssue[]> {
  const yaml = parseYaml(text);
  if (!yaml.ok) return err([{ file: options.file, path: "", ...yaml.problem }]);
  const { doc, lines } = yaml;
  const located = (issues: ConfigIssue[]) =>
    issues
      .map((issue): LocatedIssue => {
        const { line, col } = locate(doc, lines, issue.path, issue.atKey);
        return { file: options.file, line, col, path: formatPath(issue.path), message: issue.message };
      })
      .sort((a, b) => a.line - b.line || a.col - b.col);

  const input: unknown = yaml.data ?? {};
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return err(
      located([{ path: [], message: "images.yaml must be a mapping with providers, images and labels" }]),
    );
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) return err(located(schemaIssues(parsed.error, input)));

  const scripts = new Map<string, Result<string, string>>();
  for (const image of parsed.data.images) {
    if (!scripts.has(image.setup)) scripts.set(image.setup, options.readScript(image.setup));
  }
  const issues = validateConfig(parsed.data, {
    scriptProblem: (path) => {
      const script = scripts.get(path);
      return script === undefined || script.ok ? undefined : script.error;
    },
  });
  if (issues.length > 0) return err(located(issues));

  const setupScripts: Record<string, string> = {};
  for (const [path, script] of scripts) if (script.ok) setupScripts[path] = script.value;
  const setupDigests = Object.fromEntries(
    Object.entries(setupScripts).map(([path, content]) => [
      path,
      createHash("sha256").update(content).digest("hex"),
    ]),
  );
  return ok({ ...parsed.data, file: options.file, setupScripts, setupDigests });
}
