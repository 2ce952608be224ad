// `nodepool node …`: what a CI system does with nodes. The group lives outside commands/, which
// hold one command each and import no other command (eslint.config.js).
import type { CommandGroup } from "./command.js";
import { nodeClaimCommand } from "./commands/node-claim.js";
import { nodeDeleteCommand, nodeHoldCommand, nodeReleaseCommand } from "./commands/node-mark.js";

export const nodeCommand: CommandGroup = {
  command: "node",
  describe: "Claim, release, hold or delete pool nodes (for CI jobs)",
  subcommands: [
    nodeClaimCommand,
    nodeReleaseCommand,
    nodeHoldCommand,
    nodeDeleteCommand,
  ] as CommandGroup["subcommands"],
};
