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
