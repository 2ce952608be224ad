// `nodepool pin IMAGE VERSION`: new nodes boot from that build until `nodepool unpin`.
import type { Command } from "../command.js";
import { wholeNumber } from "../numbers.js";
import { ok } from "../../core/result.js";
import {
  readInventoryFor,
  runRollback,
  ROLLBACK_EPILOGUE,
  withProviders,
  withRollbackOptions,
  type RollbackArgs,
} from "../rollback-support.js";
import { planPin } from "../../rollback/plan-pin.js";

interface PinArgs extends RollbackArgs {
  image: string;
  version: number;
  provider: string[];
}

export const pinCommand: Command<PinArgs> = {
  command: "pin <image> <version>",
  describe: "Hold new nodes on one ready build of an image, in a git commit",
  builder: (yargs) =>
    withProviders(withRollbackOptions(yargs))
      .positional("image", { type: "string", describe: "the image" })
      .positional("version", {
        ...wholeNumber("VERSION", "a build version (Unix seconds, like 1394417686)", 1),
        describe: "the build's version, as image-list shows it",
      })
      .example([
        ["$0 pin devstack-precise 1394417686 --provider hpcloud-az2", "hold hpcloud-az2 on that build"],
      ])
      .epilogue(ROLLBACK_EPILOGUE),
  run: (args, io) =>
    runRollback("pin", args, io, async () => {
      const inventory = await readInventoryFor(args);
      return inventory.ok ? ok(planPin(inventory.value, args.image, args.version, args.provider)) : inventory;
    }),
};
