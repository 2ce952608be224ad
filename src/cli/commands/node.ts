// `nodepool node …`: what a CI system does with nodes.
import type { CommandGroup } from "../command.js";
import { nodeClaimCommand } from "./node-claim.js";
import { nodeDeleteCommand, nodeHoldCommand, nodeReleaseCommand } from "./node-mark.js";

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
