// `nodepool plan`: what the next reconcile would do, and why. It reads every provider's live
// inventory, or an inventory JSON file (docs/inventory.md) with --inventory.
import { readFileSync } from "node:fs";
import { withConfigFile, withJson, type Command } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { printJson } from "../io.js";
import { formatIssue } from "../../config/issues.js";
import { loadConfig } from "../../config/load.js";
import { formatPlan } from "../../plan/format-text.js";
import { parseInventory } from "../../plan/inventory-file.js";
import { plan } from "../../plan/plan.js";
import type { Inventory } from "../../plan/inventory.js";
import type { LoadedConfig } from "../../config/definition.js";
import type { Io } from "../io.js";
import { loadLiveInventory } from "../live-inventory.js";
import { writeAtomically } from "../../git/atomic-write.js";
import { wholeNumber } from "../numbers.js";
import { stackOwnerFromFile } from "../stack-owner-file.js";

interface PlanArgs {
  file: string;
  inventory?: string;
  writeInventory?: string;
  json: boolean;
  now?: number;
  stack?: string;
  owner?: string;
}

export const planCommand: Command<PlanArgs> = {
  command: "plan",
  describe: "Show what the next reconcile would build, create and delete, and why",
  builder: (yargs) =>
    withJson(withConfigFile(yargs))
      .option("inventory", {
        alias: "i",
        type: "string",
        describe: "plan from this inventory JSON (docs/inventory.md) instead of reading the clouds",
      })
      .option("write-inventory", {
        type: "string",
        describe: "also save the inventory that was read, as JSON (to replay a plan later with -i)",
      })
      .option("stack", {
        type: "string",
        describe:
          "plan the round of this Pulumi stack: only what it owns is acted on (its nodepool:owner, " +
          "read from its stack file beside images.yaml); default: $NODEPOOL_STACK, else every stack",
      })
      .option("owner", {
        type: "string",
        describe: "plan the round of the stack with this nodepool:owner (instead of --stack)",
      })
      .conflicts("stack", "owner")
      .option("now", {
        ...wholeNumber("--now", "a positive whole number of Unix seconds", 1),
        describe: "plan as if it were this time (Unix seconds); default: the clock",
      })
      .example([
        ["$0 plan", "read every provider and show the plan, grouped by provider, with reasons"],
        ["$0 plan --stack prod", "exactly what stack prod's `pulumi up` does: others' items are left alone"],
        ["$0 plan --inventory inventory.json", "plan from a saved inventory"],
        ["$0 plan -i inventory.json --json --now 1394516968", "the Plan as JSON, at a given time"],
      ])
      .epilogue(
        "Actions, listed in this order: build (boot a template server that runs the setup), " +
          "snapshot (its setup finished), delete-template, delete-image, delete-node, create-node. " +
          "A build spans three rounds: build, snapshot, then pools move to it.\n\n" +
          "Exit codes: 0 plan without errors, 1 the plan has errors or an input is invalid, 2 wrong usage, " +
          "4 a provider could not be read (it is planned as no change).",
      ),
  run: async (args, io) => {
    const now = args.now ?? Math.floor(Date.now() / 1000);
    const stackName = args.stack ?? (args.owner === undefined ? process.env["NODEPOOL_STACK"] : undefined);
    let owner = args.owner?.trim();
    if (stackName !== undefined) {
      const found = stackOwnerFromFile(args.file, stackName);
      if (!found.ok) {
        io.err(`nodepool plan: ${found.error}`);
        return EXIT.failed;
      }
      owner = found.value;
    }
    const inputs =
      args.inventory === undefined
        ? await liveInputs(args.file, now, io)
        : fileInputs(args.file, args.inventory, io);
    if (typeof inputs === "number") return inputs;
    if (args.writeInventory !== undefined) {
      // Before the plan is printed: a failed save is the run's result, and stdout stays empty.
      const saved = writeAtomically(args.writeInventory, `${JSON.stringify(inputs.inventory, null, 2)}\n`);
      if (!saved.ok) {
        io.err(`nodepool plan: cannot write the inventory to ${args.writeInventory}: ${saved.error}`);
        return EXIT.failed;
      }
    }
    const result = plan(inputs.config, inputs.inventory, owner || undefined, now);
    if (args.json) printJson(io, result);
    else io.out(formatPlan(result).join("\n"));
    if (result.errors.length > 0) return EXIT.failed;
    return result.unreadable.length > 0 ? EXIT.cloud : EXIT.ok;
  },
};

interface PlanInputs {
  config: LoadedConfig;
  inventory: Inventory;
}

async function liveInputs(file: string, now: number, io: Io): Promise<PlanInputs | number> {
  const live = await loadLiveInventory({ file, now });
  if (!live.ok) {
    for (const message of live.error.messages) io.err(message);
    return live.error.exitCode;
  }
  return { config: live.value.config, inventory: live.value.inventory };
}

function fileInputs(file: string, inventoryFile: string, io: Io): PlanInputs | number {
  const loaded = loadConfig(file);
  if (!loaded.ok) {
    for (const issue of loaded.error) io.err(formatIssue(issue));
    return EXIT.failed;
  }
  let text: string;
  try {
    text = readFileSync(inventoryFile, "utf8");
  } catch (error) {
    io.err(`${inventoryFile}: cannot read the inventory: ${(error as Error).message}`);
    return EXIT.failed;
  }
  const inventory = parseInventory(text);
  if (!inventory.ok) {
    for (const problem of inventory.error) io.err(`${inventoryFile}: ${problem}`);
    io.err(`${inventoryFile}: not a valid inventory (format: docs/inventory.md)`);
    return EXIT.failed;
  }
  return { config: loaded.value, inventory: inventory.value };
}
