// `nodepool node release|hold|delete ID`: set a node's state for the next reconcile.
import { hostname } from "node:os";
import type { Argv } from "yargs";
import { formatOpenStackError } from "../../openstack/errors.js";
import { lockAndMark, markNode, type MarkableState } from "../../nodes/mark.js";
import { pokeReconciler } from "../poke-reconciler.js";
import { withConfigFile, withJson, type Command } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { printJson } from "../io.js";
import { findNode } from "../node-target.js";

interface MarkArgs {
  id: string;
  file: string;
  json: boolean;
  reason?: string;
}

function markCommand(
  verb: string,
  state: MarkableState,
  describe: string,
  extra?: (y: Argv) => Argv,
): Command<MarkArgs> {
  return {
    command: `${verb} <id>`,
    describe,
    builder: (yargs) => {
      const withId = withJson(withConfigFile(yargs)).positional("id", {
        type: "string",
        describe: "the node: its ID from node-list, its name or its server id",
      });
      const explained = withId.epilogue(
        "With NODEPOOL_RECONCILER_URL set (e.g. http://127.0.0.1:9180), it tells `nodepool reconcile` " +
          "to look now, so a used node is deleted and replaced at once.",
      );
      return extra ? extra(explained) : explained;
    },
    run: async (args, io) => {
      const target = await findNode(args.file, args.id);
      if (!target.ok) {
        for (const message of target.error.messages) io.err(`nodepool node ${verb}: ${message}`);
        return target.error.exitCode;
      }
      const { node, id, clients } = target.value;
      const now = Math.floor(Date.now() / 1000);
      if (node.state === "ready") {
        // A job may be claiming it right now: take its lock, as a claim does, with the mark.
        const who = `nodepool node ${verb} (${hostname()}:${process.pid})`;
        const marked = await lockAndMark(clients, node, who, state, now, { holdReason: args.reason });
        if (!marked.ok) {
          const taken = `${node.name} (${id}) was taken by a job just now; nothing was changed (see \`nodepool node-list\`)`;
          io.err(`nodepool node ${verb}: ${marked.error.kind === "cloud" ? marked.error.message : taken}`);
          return marked.error.kind === "cloud" ? EXIT.cloud : EXIT.failed;
        }
      } else {
        const marked = await markNode(clients, node.serverId, state, now, args.reason);
        if (!marked.ok) {
          io.err(`nodepool node ${verb}: ${formatOpenStackError(marked.error)}`);
          return EXIT.cloud;
        }
      }
      if (args.json)
        printJson(io, { id, name: node.name, provider: node.provider, serverId: node.serverId, state });
      else io.out(`${node.name} (${id}) in ${node.provider}: ${node.state} → ${state}`);
      // A used or deleted node goes, a held one is replaced: now, if a reconciler listens.
      await pokeReconciler();
      return EXIT.ok;
    },
  };
}

export const nodeReleaseCommand = markCommand(
  "release",
  "used",
  "Give a node back after its job: the next `pulumi up` deletes it and boots a replacement",
);

export const nodeHoldCommand = markCommand(
  "hold",
  "hold",
  "Keep a node for debugging: no reconcile deletes it until it is released or deleted",
  (yargs) =>
    yargs.option("reason", { type: "string", describe: "why it is held (shown in node-list --json)" }),
);

export const nodeDeleteCommand = markCommand(
  "delete",
  "deleting",
  "Mark a node for deletion: the next `pulumi up` deletes it (and replaces it if the pool needs one)",
);
