#!/usr/bin/env node
// The `nodepool` command. It runs the TypeScript sources through tsx, so there is no build step
// a user can forget after `npm ci` (docs/decisions.md). Pulumi is never imported from here.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
