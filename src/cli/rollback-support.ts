// What the four rollback commands (revert, delete-image, pin, unpin) share at the CLI edge:
// their options, where the inventory comes from, and how an outcome is printed.
import { readFileSync } from "node:fs";
import type { Argv } from "yargs";
import { EXIT } from "./exit-codes.js";
import type { Io } from "./io.js";
import { loadLiveInventory } from "./live-inventory.js";
import { err, ok, type Result } from "../core/result.js";
import { parseInventory } from "../plan/inventory-file.js";
import type { Inventory } from "../plan/inventory.js";
import { applyRollback, type Outcome } from "../rollback/apply.js";
import type { RollbackPlanner } from "../rollback/change.js";
import { cloud, refused, usage, type RollbackFailure } from "../rollback/failure.js";
import { unchangedMessage } from "../rollback/message.js";

export interface RollbackArgs {
  file: string;
  inventory?: string;
  message?: string;
  dryRun: boolean;
  allowDirty: boolean;
  branch?: string;
  push: boolean;
  remote: string;
}

export function withRollbackOptions(yargs: Argv): Argv {
  return yargs
    .option("file", {
      alias: "f",
      type: "string",
      default: "images.yaml",
      describe: "the images.yaml to change",
    })
    .option("inventory", {
      alias: "i",
      type: "string",
      describe: "read the builds from this inventory JSON (docs/inventory.md) instead of the clouds",
    })
    .option("message", { alias: "m", type: "string", describe: "why: added to the commit message" })
    .option("dry-run", {
      type: "boolean",
      default: false,
      describe: "print the diff and the commit message; write and commit nothing",
    })
    .option("allow-dirty", {
      type: "boolean",
      default: false,
      describe: "go ahead although images.yaml has uncommitted changes (they are committed too)",
    })
    .option("branch", {
      type: "string",
      describe: "commit on this new branch (for a pull request); the checkout stays as it is",
    })
    .option("push", { type: "boolean", default: false, describe: "push the --branch to --remote" })
    .option("remote", { type: "string", default: "origin", describe: "the remote --push pushes to" });
}

export function withProviders(yargs: Argv): Argv {
  return yargs.option("provider", {
    alias: "p",
    type: "string",
    array: true,
    default: [],
    describe: "only in this provider (repeat for several); default: every provider of the image",
  });
}

export const ROLLBACK_EPILOGUE =
  "Exit codes: 0 committed (or nothing to change), 1 refused or failed (nothing was written or committed), " +
  "2 wrong usage, 4 a provider could not be read.";

/** The inventory from --inventory, or read from the clouds. */
export async function readInventoryFor(args: RollbackArgs): Promise<Result<Inventory, RollbackFailure>> {
  if (args.inventory !== undefined) {
    let text: string;
    try {
      text = readFileSync(args.inventory, "utf8");
    } catch (error) {
      return err(refused(`${args.inventory}: cannot read the inventory: ${(error as Error).message}`));
    }
    const parsed = parseInventory(text);
    if (!parsed.ok) {
      const problems = parsed.error.map((problem) => `${args.inventory}: ${problem}`).join("\n");
      return err(
        refused(`${problems}\n${args.inventory}: not a valid inventory (format: docs/inventory.md)`),
      );
    }
    return ok(parsed.value);
  }
  const live = await loadLiveInventory({ file: args.file });
  if (!live.ok) {
    const message = live.error.messages.join("\n");
    const kind =
      live.error.exitCode === EXIT.usage ? usage : live.error.exitCode === EXIT.cloud ? cloud : refused;
    return err(kind(message));
  }
  return ok(live.value.inventory);
}

export async function runRollback(
  name: string,
  args: RollbackArgs,
  io: Io,
  prepare: () => Promise<Result<RollbackPlanner, RollbackFailure>>,
): Promise<number> {
  const outcome = await applyRollback(prepare, {
    file: args.file,
    reason: args.message,
    dryRun: args.dryRun,
    allowDirty: args.allowDirty,
    branch: args.branch,
    push: args.push,
    remote: args.remote,
  });
  if (!outcome.ok) {
    io.err(`nodepool ${name}: ${outcome.error.message}`);
    return { refused: EXIT.failed, usage: EXIT.usage, cloud: EXIT.cloud }[outcome.error.kind];
  }
  printOutcome(outcome.value, args, io);
  return EXIT.ok;
}

function printOutcome(outcome: Outcome, args: RollbackArgs, io: Io): void {
  if (outcome.kind === "unchanged") {
    io.out(unchangedMessage(outcome.rollback, args.file));
    return;
  }
  if (outcome.kind === "dry-run") {
    io.out(outcome.diff.trimEnd());
    io.out(`\nCommit message:\n${indent(outcome.message)}\n\nDry run: nothing was written or committed.`);
    for (const warning of outcome.warnings) io.out(`Note: ${warning}.`);
    return;
  }
  const where = outcome.branch ?? "detached HEAD";
  io.out(`[${where} ${outcome.commit.slice(0, 12)}] ${outcome.message.split("\n")[0]}`);
  io.out(indent(outcome.message.split("\n\n").slice(1, -1).join("\n\n")));
  if (outcome.pushedTo !== undefined) {
    io.out(`\nPushed branch ${where} to ${outcome.pushedTo}: open a pull request from it.`);
  } else if (outcome.newBranch) {
    io.out(`\nCommitted on the new branch ${where}; your checkout is unchanged. Push it for a pull request.`);
  } else {
    io.out("\nPush it for the next `pulumi up` to apply it; `nodepool plan` shows what that will do.");
  }
}

const indent = (text: string) =>
  text
    .trimEnd()
    .split("\n")
    .map((line) => (line === "" ? "" : `    ${line}`))
    .join("\n");
