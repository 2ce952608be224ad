// `nodepool plan`: what the next reconcile would do, and why. For now the inventory comes
// from a JSON file (docs/inventory.md); reading the live cloud becomes the default later.
import { readFileSync } from "node:fs";
import { withConfigFile, withJson, type Command } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { printJson } from "../io.js";
import { formatIssue } from "../../config/issues.js";
import { loadConfig } from "../../config/load.js";
import { formatPlan } from "../../plan/format-text.js";
import { parseInventory } from "../../plan/inventory-file.js";
import { plan } from "../../plan/plan.js";

interface PlanArgs {
  file: string;
  inventory?: string;
  json: boolean;
  now?: number;
}

export const planCommand: Command<PlanArgs> = {
  command: "plan",
  describe: "Show what the next reconcile would build, create and delete, and why",
  builder: (yargs) =>
    withJson(withConfigFile(yargs))
      .option("inventory", {
        alias: "i",
        type: "string",
        describe: "what exists in the clouds, as JSON (docs/inventory.md); required for now",
      })
      .option("now", {
        type: "number",
        describe: "plan as if it were this time (Unix seconds); default: the clock",
      })
      .example([
        ["$0 plan --inventory inventory.json", "the plan, grouped by provider, with reasons"],
        ["$0 plan -i inventory.json --json --now 1394516968", "the Plan as JSON, at a given time"],
      ])
      .epilogue(
        "Exit codes: 0 plan without errors, 1 the plan has errors or an input is invalid, 2 wrong usage.",
      ),
  run: async (args, io) => {
    if (args.inventory === undefined) {
      io.err(
        "nodepool plan: --inventory FILE is required: reading the live cloud is not implemented yet.\n" +
          "Write what exists as JSON (see docs/inventory.md), e.g. --inventory test/fixtures/inventory/seed.json",
      );
      return EXIT.usage;
    }
    const now = args.now ?? Math.floor(Date.now() / 1000);
    if (!Number.isInteger(now) || now <= 0) {
      io.err(`nodepool plan: --now must be a positive whole number of Unix seconds, got ${args.now}`);
      return EXIT.usage;
    }
    const loaded = loadConfig(args.file);
    if (!loaded.ok) {
      for (const issue of loaded.error) io.err(formatIssue(issue));
      return EXIT.failed;
    }
    let text: string;
    try {
      text = readFileSync(args.inventory, "utf8");
    } catch (error) {
      io.err(`${args.inventory}: cannot read the inventory: ${(error as Error).message}`);
      return EXIT.failed;
    }
    const inventory = parseInventory(text);
    if (!inventory.ok) {
      for (const problem of inventory.error) io.err(`${args.inventory}: ${problem}`);
      io.err(`${args.inventory}: not a valid inventory (format: docs/inventory.md)`);
      return EXIT.failed;
    }
    const result = plan(loaded.value, inventory.value, now);
    if (args.json) printJson(io, result);
    else io.out(formatPlan(result).join("\n"));
    return result.errors.length > 0 ? EXIT.failed : EXIT.ok;
  },
};
