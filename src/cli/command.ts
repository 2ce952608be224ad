// The shape of one CLI command; each lives in its own file under commands/.
import type { Argv } from "yargs";
import type { Io } from "./io.js";

export interface Command<Args = Record<string, unknown>> {
  command: string | readonly string[];
  describe: string;
  builder: (yargs: Argv) => Argv;
  run: (args: Args, io: Io) => Promise<number>;
}

/** A command with subcommands: `nodepool node claim`, `nodepool node release`, … */
export interface CommandGroup {
  command: string;
  describe: string;
  subcommands: Command<never>[];
}

/** Options that most commands take. */
export function withConfigFile(yargs: Argv): Argv {
  return yargs.option("file", {
    alias: "f",
    type: "string",
    default: "images.yaml",
    describe: "the images.yaml to read",
  });
}

export function withJson(yargs: Argv): Argv {
  return yargs.option("json", { type: "boolean", default: false, describe: "print JSON for scripts" });
}

/** How a user types an option: `-i`, `--file`. */
export const flagName = (key: string): string => (key.length === 1 ? `-${key}` : `--${key}`);

/** The positionals a command string declares: `revert <image>` → ["image"]. */
export function positionalNames(command: string): string[] {
  return [...command.matchAll(/[<[]([^\]>|.]+)/g)].map((match) => match[1]!);
}

/**
 * The one place that holds every option taking a value (string, number, array) to having
 * one: `--file` at the end or before another flag is a usage error naming it (yargs'
 * requiresArg), and so are `--file=` and, for an option that is not a list, giving it twice.
 * Without this, `validate --file` validated ./images.yaml and `plan -i` opened ''.
 */
export function requireOptionValues(yargs: Argv, positionals: readonly string[]): Argv {
  const options = (yargs as unknown as { getOptions(): DeclaredOptions }).getOptions();
  const valued = [...new Set([...options.string, ...options.number, ...options.array])].filter(
    (key) => !positionals.includes(key),
  );
  if (valued.length === 0) return yargs;
  return yargs.requiresArg(valued).check((argv) => {
    for (const key of valued) {
      const value: unknown = argv[key];
      const values: unknown[] = Array.isArray(value) ? value : [value];
      if (values.includes("")) return `${flagName(key)} needs a value`;
      if (values.length > 1 && !options.array.includes(key))
        return `${flagName(key)} was given more than once`;
    }
    return true;
  });
}

/** What yargs knows of the options declared so far (it has getOptions; @types/yargs omits it). */
interface DeclaredOptions {
  string: string[];
  number: string[];
  array: string[];
}
