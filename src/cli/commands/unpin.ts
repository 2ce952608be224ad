// `nodepool unpin IMAGE`: new nodes follow the newest ready build again. Reads no cloud.
import type { Command } from "../command.js";
import { ok } from "../../core/result.js";
import {
  runRollback,
  ROLLBACK_EPILOGUE,
  withProviders,
  withRollbackOptions,
  type RollbackArgs,
} from "../rollback-support.js";
import { planUnpin } from "../../rollback/plan-pin.js";

interface UnpinArgs extends RollbackArgs {
  image: string;
  provider: string[];
}

export const unpinCommand: Command<UnpinArgs> = {
  command: "unpin <image>",
  describe: "Remove an image's pins, in a git commit: new nodes follow the newest ready build again",
  builder: (yargs) =>
    withProviders(withRollbackOptions(yargs))
      .positional("image", { type: "string", describe: "the image" })
      .example([["$0 unpin devstack-precise", "remove its pin in every provider"]])
      .epilogue(ROLLBACK_EPILOGUE),
  run: (args, io) => runRollback("unpin", args, io, async () => ok(planUnpin(args.image, args.provider))),
};
