// A problem found in images.yaml, located by its path in the document; load.ts turns the
// path into file:line:col.
export type ConfigPath = readonly (string | number)[];

export interface ConfigIssue {
  path: ConfigPath;
  message: string;
  /** Point at the key itself (an unknown or misplaced key) rather than at its value. */
  atKey?: boolean;
}

export interface LocatedIssue {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

/** labels[2].image, pins.devstack-precise.hpcloud-az2 */
export function formatPath(path: ConfigPath): string {
  let text = "";
  for (const part of path) {
    text += typeof part === "number" ? `[${part}]` : text === "" ? part : `.${part}`;
  }
  return text;
}

export function formatIssue(issue: LocatedIssue): string {
  const where = issue.path === "" ? "" : `${issue.path}: `;
  const at = issue.line > 0 ? `:${issue.line}:${issue.col}` : "";
  return `${issue.file}${at}: ${where}${issue.message}`;
}
