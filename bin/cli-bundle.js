// The CLI's sources as one ESM bundle (with a chunk per lazily loaded command), made by esbuild
// on the first run after the sources change and kept in node_modules/.cache/nodepool-cli/KEY,
// KEY naming every source file's path, size and mtime. A job's `nodepool node claim` then
// starts in about a quarter of a second instead of half a second through tsx, and there is
// still no build step to forget (docs/decisions.md). Plain JavaScript: it runs before tsx.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const sources = join(root, "src");
const cache = join(root, "node_modules", ".cache", "nodepool-cli");

function sourcesKey() {
  const hash = createHash("sha256");
  const files = readdirSync(sources, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${file}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * The bundle's main module for the sources as they are now, built if missing. Concurrent
 * first runs each build into their own directory; the first rename wins and the others use it.
 * Undefined when it cannot be built (no esbuild, a read-only tree): then tsx runs the sources.
 */
export async function bundledMain() {
  try {
    const dir = join(cache, sourcesKey());
    const main = join(dir, "main.js");
    if (!existsSync(main)) {
      const { build } = await import("esbuild");
      const building = `${dir}.${process.pid}.tmp`;
      mkdirSync(cache, { recursive: true });
      await build({
        entryPoints: [join(sources, "cli", "main.ts")],
        outdir: building,
        bundle: true,
        splitting: true,
        format: "esm",
        platform: "node",
        target: "node20",
        packages: "external",
        logLevel: "silent",
      });
      try {
        renameSync(building, dir);
      } catch {
        rmSync(building, { recursive: true, force: true });
      }
    }
    return existsSync(main) ? pathToFileURL(main).href : undefined;
  } catch {
    return undefined;
  }
}

// `node bin/cli-bundle.js` (npm's prepare, after `npm ci`): build it now, so that the first
// jobs do not each build it at once.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if ((await bundledMain()) === undefined)
    console.error("nodepool: the CLI bundle was not built; tsx runs the sources");
}
