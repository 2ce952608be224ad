// images.yaml text → a validated config, or every problem at once with file:line:col.
// Pure: the setup scripts come in through a lookup function.
import { createHash } from "node:crypto";
import { LineCounter, parseDocument } from "yaml";
import type { LoadedConfig } from "./definition.js";
import { formatPath, type ConfigIssue, type LocatedIssue } from "./issues.js";
import { locate } from "./positions.js";
import { configSchema } from "./schema.js";
import { schemaIssues } from "./schema-issues.js";
import { validateConfig } from "./validate.js";
import { err, ok, type Result } from "../core/result.js";

export interface ParseOptions {
  /** How to name the file in messages. */
  file: string;
  /** The content of a setup script by the path written in images.yaml, or undefined. */
  readScript: (path: string) => string | undefined;
}

export function parseConfig(text: string, options: ParseOptions): Result<LoadedConfig, LocatedIssue[]> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  // Only the first syntax error: the parser's later ones are mostly echoes of it.
  const syntaxError = doc.errors[0];
  if (syntaxError !== undefined) {
    const { line, col } = lines.linePos(syntaxError.pos[0]);
    const message = `YAML syntax: ${syntaxError.message.split("\n")[0]}`;
    return err([{ file: options.file, line, col, path: "", message }]);
  }
  const located = (issues: ConfigIssue[]) =>
    issues
      .map((issue): LocatedIssue => {
        const { line, col } = locate(doc, lines, issue.path, issue.atKey);
        return { file: options.file, line, col, path: formatPath(issue.path), message: issue.message };
      })
      .sort((a, b) => a.line - b.line || a.col - b.col);

  const input: unknown = doc.toJS() ?? {};
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return err(
      located([{ path: [], message: "images.yaml must be a mapping with providers, images and labels" }]),
    );
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) return err(located(schemaIssues(parsed.error, input)));

  const scripts = new Map<string, string>();
  for (const image of parsed.data.images) {
    const content = options.readScript(image.setup);
    if (content !== undefined) scripts.set(image.setup, content);
  }
  const issues = validateConfig(parsed.data, { scriptExists: (path) => scripts.has(path) });
  if (issues.length > 0) return err(located(issues));

  const setupDigests = Object.fromEntries(
    [...scripts].map(([path, content]) => [path, createHash("sha256").update(content).digest("hex")]),
  );
  return ok({ ...parsed.data, file: options.file, setupDigests });
}
