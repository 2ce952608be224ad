#!/usr/bin/env node
// The `nodepool` command. It runs the TypeScript sources through tsx, so there is no build step
// a user can forget after `npm ci` (docs/decisions.md). Pulumi is never imported from here.
import { register } from "tsx/esm/api";

register();
const { main, reportInternalError } = await import("../src/cli/main.ts");
// What escapes main() (an error in a callback, say) is still one line, not a stack trace.
process.on("uncaughtException", (error) => process.exit(reportInternalError(error)));
// A reader that stops early (`nodepool image-list | head -1`) closes the pipe: the rest of the
// output is not wanted, so it is dropped rather than reported.
process.stdout.on("error", (error) => {
  if (error.code !== "EPIPE") throw error;
});
process.exitCode = await main(process.argv.slice(2));
