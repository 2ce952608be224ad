// `nodepool delete-image ID`, as on the Nodepool operator page: reject that build in
// images.yaml (a git commit); the next `pulumi up` deletes it.
import type { Command } from "../command.js";
import { ok } from "../../core/result.js";
import {
  readInventoryFor,
  runRollback,
  ROLLBACK_EPILOGUE,
  withRollbackOptions,
  type RollbackArgs,
} from "../rollback-support.js";
import { planDeleteImage } from "../../rollback/plan-delete-image.js";
import { imageBuildId } from "../../core/ids.js";

interface DeleteImageArgs extends RollbackArgs {
  id: string;
}

export const deleteImageCommand: Command<DeleteImageArgs> = {
  command: "delete-image <id>",
  describe: "Reject an image build by its image-list ID; if it was current, the previous one takes over",
  builder: (yargs) =>
    withRollbackOptions(yargs)
      .positional("id", { type: "string", describe: "the build's ID from `nodepool image-list`" })
      .example([["$0 delete-image 5d41402a -m 'broken pip cache'", "reject that build, with a reason"]])
      .epilogue(
        "No pin is written: new nodes boot from the newest ready build that is not rejected, so the next " +
          "good build becomes current by itself. " +
          ROLLBACK_EPILOGUE,
      ),
  run: (args, io) =>
    runRollback("delete-image", args, io, async () => {
      const inventory = await readInventoryFor(args);
      return inventory.ok ? ok(planDeleteImage(inventory.value, String(args.id), imageBuildId)) : inventory;
    }),
};
