// `nodepool validate`: the check a pull request runs on images.yaml.
import { withConfigFile, withJson, type Command } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { printJson } from "../io.js";
import { loadConfig } from "../../config/load.js";
import { formatIssue } from "../../config/issues.js";

interface ValidateArgs {
  file: string;
  json: boolean;
}

export const validateCommand: Command<ValidateArgs> = {
  command: "validate",
  describe: "Check images.yaml: schema, references, capacity, setup scripts",
  builder: (yargs) =>
    withJson(withConfigFile(yargs))
      .example([
        ["$0 validate", "check ./images.yaml"],
        ["$0 validate -f other/images.yaml --json", "machine-readable result"],
      ])
      .epilogue(
        "Exit codes: 0 valid, 1 invalid (every problem is listed with file:line:col), 2 wrong usage.",
      ),
  run: async (args, io) => {
    const loaded = loadConfig(args.file);
    if (args.json) {
      printJson(
        io,
        loaded.ok
          ? { valid: true, file: args.file, issues: [], ...summary(loaded.value) }
          : { valid: false, file: args.file, issues: loaded.error },
      );
      return loaded.ok ? EXIT.ok : EXIT.failed;
    }
    if (!loaded.ok) {
      for (const issue of loaded.error) io.err(formatIssue(issue));
      const count = loaded.error.length;
      io.err(`${args.file}: ${count} problem${count === 1 ? "" : "s"}`);
      return EXIT.failed;
    }
    const s = summary(loaded.value);
    io.out(
      `${args.file}: valid (${plural(s.providers, "provider")}, ${plural(s.images, "image")}, ${plural(s.labels, "label")})`,
    );
    return EXIT.ok;
  },
};

function summary(config: { providers: unknown[]; images: unknown[]; labels: unknown[] }) {
  return { providers: config.providers.length, images: config.images.length, labels: config.labels.length };
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;
