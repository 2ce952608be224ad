#!/usr/bin/env node
// The `nodepool` command. Its TypeScript sources run from a bundle made on the first run
// after they change (cli-bundle.js), or through tsx when it cannot be made; either way there
// is no build step a user can forget (docs/decisions.md). `reconcile` always runs the sources
// through tsx: the Pulumi program it runs inline has its functions serialized by Pulumi (the
// snapshot steps), which must see the code as written. Pulumi is never imported from here.
import { bundledMain } from "./cli-bundle.js";

const argv = process.argv.slice(2);
// NODEPOOL_CLI_FROM_SOURCES=1 runs the sources through tsx (a test that traces which source
// modules a command loads).
const fromSources =
  process.env["NODEPOOL_CLI_FROM_SOURCES"] === "1" ||
  argv.find((word) => !word.startsWith("-")) === "reconcile";
const bundle = fromSources ? undefined : await bundledMain();
let cli;
if (bundle) cli = await import(bundle);
else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import("../src/cli/main.ts");
}
const { main, reportInternalError } = cli;
// What escapes main() (an error in a callback, say) is still one line, not a stack trace.
process.on("uncaughtException", (error) => process.exit(reportInternalError(error)));
// A reader that stops early (`nodepool image-list | head -1`) closes the pipe: the rest of the
// output is not wanted, so it is dropped rather than reported.
process.stdout.on("error", (error) => {
  if (error.code !== "EPIPE") throw error;
});
process.exitCode = await main(argv);
