// The unified diff a change would make, as `git diff` would print it, for --dry-run: both
// versions go to a scratch directory outside the repository, which stays untouched.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { simpleGit } from "simple-git";

export async function diffTexts(path: string, before: string, after: string): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), "nodepool-diff-"));
  try {
    for (const [side, text] of [
      ["a", before],
      ["b", after],
    ] as const) {
      mkdirSync(dirname(join(scratch, side, path)), { recursive: true });
      writeFileSync(join(scratch, side, path), text);
    }
    const git = simpleGit({ baseDir: scratch });
    // --no-index exits 1 when the files differ; simple-git still hands back the output.
    return await git.raw(["diff", "--no-index", "--no-prefix", "--no-color", "--", `a/${path}`, `b/${path}`]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
