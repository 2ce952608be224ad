// `nodepool revert IMAGE`: back to the previous ready build, as a git commit.
import type { Command } from "../command.js";
import { ok } from "../../core/result.js";
import {
  readInventoryFor,
  runRollback,
  ROLLBACK_EPILOGUE,
  withProviders,
  withRollbackOptions,
  type RollbackArgs,
} from "../rollback-support.js";
import { planRevert } from "../../rollback/plan-revert.js";

interface RevertArgs extends RollbackArgs {
  image: string;
  provider: string[];
}

export const revertCommand: Command<RevertArgs> = {
  command: "revert <image>",
  describe: "Go back to the previous ready build: pin it and reject the current one, in a git commit",
  builder: (yargs) =>
    withProviders(withRollbackOptions(yargs))
      .positional("image", { type: "string", describe: "the image whose current build is bad" })
      .example([
        ["$0 revert devstack-precise --provider hpcloud-az2 --dry-run", "show the diff and commit message"],
        ["$0 revert devstack-precise -m 'tempest fails on the new build'", "every provider, with a reason"],
        ["$0 revert devstack-precise --branch revert-devstack --push", "as a pull request"],
      ])
      .epilogue(
        "The pin holds new nodes on the previous build until `nodepool unpin`; the rejected build " +
          "is deleted by the next `pulumi up`. " +
          ROLLBACK_EPILOGUE,
      ),
  run: (args, io) =>
    runRollback("revert", args, io, async () => {
      const inventory = await readInventoryFor(args);
      return inventory.ok ? ok(planRevert(inventory.value, args.image, args.provider)) : inventory;
    }),
};
