// The `nodepool` CLI: parses arguments and runs one command, returning its exit code.
// Light on purpose: nothing here loads Pulumi.
import yargs from "yargs";
import type { Argv } from "yargs";
import {
  flagName,
  positionalNames,
  requireOptionValues,
  type Command,
  type CommandGroup,
} from "./command.js";
import { EXIT } from "./exit-codes.js";
import { processIo, type Io } from "./io.js";
import { validateCommand } from "./commands/validate.js";
import { planCommand } from "./commands/plan.js";
import { imageListCommand } from "./commands/image-list.js";
import { nodeListCommand } from "./commands/node-list.js";
import { nodeCommand } from "./commands/node.js";
import { revertCommand } from "./commands/revert.js";
import { deleteImageCommand } from "./commands/delete-image.js";
import { pinCommand } from "./commands/pin.js";
import { unpinCommand } from "./commands/unpin.js";

class UsageError extends Error {}

/** yargs' usage messages in this CLI's words: the flag as typed, without camelCase echoes. */
function readableUsage(message: string): string {
  const missing = /^Not enough arguments following: (.+)$/.exec(message);
  if (missing) return `${flagName(missing[1]!)} needs a value`;
  return withoutCamelCaseEchoes(message);
}

/** yargs reports `--bogus-option` as "bogus-option, bogusOption": keep the one the user typed. */
function withoutCamelCaseEchoes(message: string): string {
  const match = /^(Unknown arguments?): (.*)$/.exec(message);
  if (!match) return message;
  const names = match[2]!.split(", ");
  const typed = names.filter(
    (name) =>
      !names.includes(name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)) || /^[a-z0-9-]+$/.test(name),
  );
  return `${typed.length === 1 ? "Unknown argument" : "Unknown arguments"}: ${typed.join(", ")}`;
}

const COMMANDS: (Command<never> | CommandGroup)[] = [
  validateCommand,
  planCommand,
  imageListCommand,
  nodeListCommand,
  nodeCommand,
  revertCommand,
  deleteImageCommand,
  pinCommand,
  unpinCommand,
];

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const cli = yargs()
    .scriptName("nodepool")
    .usage(
      "$0 <command> [options]\n\n" +
        "Keeps pools of ready OpenStack test nodes and daily-built images, from images.yaml in git.\n" +
        "The reconcile itself is `pulumi up`; these commands inspect and steer it.",
    )
    .strict()
    .demandCommand(1, "Name a command (see the list above).")
    .recommendCommands()
    .help()
    .alias("help", "h")
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error && !message) throw error;
      // Throwing stops yargs from running the handler after a usage error.
      throw new UsageError(readableUsage(message ?? error?.message ?? "wrong usage"));
    });
  const register = (parent: Argv, entry: Command<never> | CommandGroup): void => {
    if ("subcommands" in entry) {
      parent.command(entry.command, entry.describe, (group) => {
        for (const sub of entry.subcommands) register(group, sub);
        return group.demandCommand(1, `Name a \`${entry.command}\` command (see the list above).`);
      });
      return;
    }
    const positionals = positionalNames([entry.command].flat().join(" "));
    parent.command({
      command: entry.command as string,
      describe: entry.describe,
      builder: (args) => requireOptionValues(entry.builder(args), positionals),
      handler: async (args) => {
        exitCode = await entry.run(args as never, io);
      },
    });
  };
  for (const entry of COMMANDS) register(cli, entry);
  let help = "";
  try {
    // With a callback, yargs hands over its help text instead of printing it: it goes to io.
    await cli.parseAsync(argv, {}, (_error, _args, output) => {
      help = output;
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`nodepool: ${error.message}\nRun \`nodepool --help\` for usage.`);
    return EXIT.usage;
  }
  if (help !== "") io.out(help);
  return exitCode;
}
