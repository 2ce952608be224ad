// Turn the schema's complaints into messages a person can act on, with the path to point at.
import type { z } from "zod";
import type { ConfigIssue, ConfigPath } from "./issues.js";
import { configFields, imageFields, labelFields, providerFields } from "./schema.js";
import { didYouMean } from "./suggest.js";

/** The keys an object at `path` may have, for "did you mean" on unknown keys. */
function knownKeys(path: ConfigPath): string[] {
  if (path.length === 0) return Object.keys(configFields.shape);
  if (path.length === 2 && typeof path[1] === "number") {
    const section = { providers: providerFields, images: imageFields, labels: labelFields }[String(path[0])];
    if (section) return Object.keys(section.shape);
  }
  return [];
}

function valueAt(root: unknown, path: ConfigPath): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return "null (an empty value)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string "${value}"`;
  return String(value);
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
};

function translate(issue: z.core.$ZodIssue, input: unknown): ConfigIssue[] {
  const path = issue.path as (string | number)[];
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({
        path: [...path, key],
        atKey: true,
        message: `unknown key "${key}"${didYouMean(key, knownKeys(path))}`,
      }));
    case "invalid_type": {
      const value = valueAt(input, path);
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (value === undefined) {
        const key = path[path.length - 1];
        return [{ path, message: `missing required key "${String(key)}" (${expected})` }];
      }
      if (issue.expected === "int")
        return [{ path, message: `must be a whole number, not ${describe(value)}` }];
      return [{ path, message: `must be ${expected}, not ${describe(value)}` }];
    }
    case "too_small": {
      const minimum = Number(issue.minimum);
      if (issue.origin === "array")
        return [{ path, message: `must list at least ${minimum} item${minimum === 1 ? "" : "s"}` }];
      if (issue.origin === "string") return [{ path, message: "must not be empty" }];
      const why =
        path[path.length - 1] === "keep" ? ": the current and the previous ready build are always kept" : "";
      const bound = issue.inclusive === false ? `greater than ${minimum}` : `at least ${minimum}`;
      return [{ path, message: `must be ${bound}, not ${describe(valueAt(input, path))}${why}` }];
    }
    case "too_big":
      return [
        { path, message: `must be at most ${Number(issue.maximum)}, not ${describe(valueAt(input, path))}` },
      ];
    default:
      return [{ path, message: issue.message }];
  }
}

export function schemaIssues(error: z.ZodError, input: unknown): ConfigIssue[] {
  return error.issues.flatMap((issue) => translate(issue, input));
}
