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

type Entry = Command<never> | CommandGroup;

/**
 * Every command, in --help order, loaded only when it runs: a job's `nodepool node claim`
 * should not pay for loading the rollback, git and reconciler modules (half its start-up).
 * `name` must be the entry's first word (a unit test checks).
 */
export const COMMAND_LOADERS: readonly { name: string; load: () => Promise<Entry> }[] = [
  { name: "validate", load: async () => (await import("./commands/validate.js")).validateCommand },
  { name: "plan", load: async () => (await import("./commands/plan.js")).planCommand },
  { name: "image-list", load: async () => (await import("./commands/image-list.js")).imageListCommand },
  { name: "node-list", load: async () => (await import("./commands/node-list.js")).nodeListCommand },
  { name: "request-list", load: async () => (await import("./commands/request-list.js")).requestListCommand },
  { name: "node", load: async () => (await import("./node-group.js")).nodeCommand },
  { name: "reconcile", load: async () => (await import("./commands/reconcile.js")).reconcileCommand },
  { name: "revert", load: async () => (await import("./commands/revert.js")).revertCommand },
  { name: "delete-image", load: async () => (await import("./commands/delete-image.js")).deleteImageCommand },
  { name: "pin", load: async () => (await import("./commands/pin.js")).pinCommand },
  { name: "unpin", load: async () => (await import("./commands/unpin.js")).unpinCommand },
];

/** The command argv names, alone; every command for the main help or a word that names none. */
export async function commandsFor(argv: readonly string[]): Promise<Entry[]> {
  const [first] = commandWords(argv);
  const named = COMMAND_LOADERS.find((loader) => loader.name === first);
  return named ? [await named.load()] : Promise.all(COMMAND_LOADERS.map((loader) => loader.load()));
}

const HELP_FLAGS = ["--help", "-h"];

/** The names an entry answers to: `revert <image>` → ["revert"]. */
const namesOf = (entry: Entry): string[] => [entry.command].flat().map((command) => command.split(" ")[0]!);

/**
 * The words of argv that are not options, read as yargs reads them before it knows a
 * command's options: a flag without `=` takes the next word as its value, but for --help,
 * -h and --no-….
 */
function commandWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-") {
      words.push(arg);
      continue;
    }
    const takesValue = !arg.includes("=") && !HELP_FLAGS.includes(arg) && !arg.startsWith("--no-");
    if (takesValue && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("-")) i++;
  }
  return words;
}

interface UnknownCommand {
  /** As the message names it: `reconcile`, `node clam`. */
  word: string;
  typed: string;
  known: string[];
}

/**
 * The command word that names no command, and the names it could have been. Checked before
 * yargs runs: with --help, yargs would print the main help and exit 0 for any word, so
 * `nodepool reconcile --help` would pass for a check that the command exists.
 */
function unknownCommand(argv: readonly string[], commands: readonly Entry[]): UnknownCommand | undefined {
  const [first, second] = commandWords(argv);
  if (first === undefined) return undefined;
  const entry = commands.find((candidate) => namesOf(candidate).includes(first));
  if (entry === undefined) return { word: first, typed: first, known: commands.flatMap(namesOf) };
  if (!("subcommands" in entry) || second === undefined) return undefined;
  const known = entry.subcommands.flatMap(namesOf);
  return known.includes(second) ? undefined : { word: `${first} ${second}`, typed: second, known };
}

/** yargs' own did-you-mean (recommendCommands) for `word` among `known`, if it has one. */
function didYouMean(word: string, known: readonly string[]): string | undefined {
  let suggestion: string | undefined;
  const finder = yargs([word])
    .exitProcess(false)
    .recommendCommands()
    .fail((message) => {
      suggestion = message;
    });
  for (const name of known) finder.command(name, false);
  finder.parse();
  return suggestion;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    return await parseAndRun(argv, io);
  } catch (error) {
    return reportInternalError(error, io);
  }
}

/**
 * The last resort for what no command foresaw: one line, not a stack trace, for the user;
 * the stack with NODEPOOL_DEBUG=1. Exit 1 (the work failed).
 */
export function reportInternalError(
  error: unknown,
  io: Pick<Io, "err"> = processIo,
  debug = process.env.NODEPOOL_DEBUG === "1",
): number {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ");
  if (debug && error instanceof Error && error.stack) io.err(error.stack);
  else
    io.err(
      `nodepool: internal error: ${message} (this is a bug; rerun with NODEPOOL_DEBUG=1 for the stack trace)`,
    );
  return EXIT.failed;
}

function usageError(message: string, io: Io): number {
  io.err(`nodepool: ${message}\nRun \`nodepool --help\` for usage.`);
  return EXIT.usage;
}

async function parseAndRun(argv: string[], io: Io): Promise<number> {
  const commands = await commandsFor(argv);
  const unknown = unknownCommand(argv, commands);
  if (unknown !== undefined) {
    const suggestion = didYouMean(unknown.typed, unknown.known);
    return usageError(`Unknown command: ${unknown.word}${suggestion ? `. ${suggestion}` : ""}`, io);
  }
  let exitCode: number = EXIT.ok;
  const cli = yargs()
    .scriptName("nodepool")
    .usage(
      "$0 <command> [options]\n\n" +
        "Keeps pools of ready OpenStack test nodes and daily-built images, from images.yaml in git.\n" +
        "The reconcile itself is `pulumi up`; these commands inspect and steer it.",
    )
    .strict()
    .demandCommand(1, "Name a command.")
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
  const register = (parent: Argv, entry: Entry): void => {
    if ("subcommands" in entry) {
      parent.command(entry.command, entry.describe, (group) => {
        for (const sub of entry.subcommands) register(group, sub);
        const names = entry.subcommands.flatMap(namesOf).join(", ");
        return group.demandCommand(1, `Name a \`${entry.command}\` command: ${names}.`);
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
  for (const entry of commands) register(cli, entry);
  let help = "";
  try {
    // With a callback, yargs hands over its help text instead of printing it: it goes to io.
    await cli.parseAsync(argv, {}, (_error, _args, output) => {
      help = output;
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usageError(error.message, io);
  }
  if (help !== "") io.out(help);
  return exitCode;
}
