// The one rule for a path that images.yaml names (setup scripts now, validation scripts
// later), in the part that needs no disk: it is written relative to images.yaml's directory
// and cannot climb out of it. repo-files.ts checks the rest where the file is opened.

/**
 * Nova refuses user data over 65,535 bytes once base64-encoded (4 bytes for every 3), so a
 * script sent as user data may hold at most 49,149 bytes.
 */
export const MAX_USER_DATA_BYTES = Math.floor(65535 / 4) * 3;

/** Why `path` may not be named by images.yaml, or undefined when its form is fine. */
export function repoPathProblem(path: string): string | undefined {
  if (path.includes("\0")) return "contains a NUL character";
  if (path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:/.test(path) || path.startsWith("~")) {
    return "is absolute: write it relative to the directory of images.yaml, inside the repository";
  }
  if (path.split(/[\\/]/).includes("..")) {
    return "contains '..': keep the file in the directory of images.yaml or below it";
  }
  if (path.endsWith("/") || path.endsWith("\\")) return "names a directory, not a file";
  return undefined;
}
