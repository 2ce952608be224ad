// `nodepool node-list`: the pool nodes in every provider and what state each is in.
import { withConfigFile, withJson, type Command } from "../command.js";
import { nodeId } from "../../core/ids.js";
import { compareNatural } from "../../core/sort.js";
import { ageHours, runLiveList, type LiveInventory } from "../live-inventory.js";
import { renderTable, type Column } from "../table.js";
import { NODE_STATES, type NodeState } from "../../plan/inventory.js";

interface NodeListArgs {
  file: string;
  label?: string;
  provider?: string;
  state?: string;
  json: boolean;
}

export interface NodeRow {
  id: string;
  provider: string;
  label: string;
  name: string;
  imageVersion: number;
  serverId: string;
  ip: string | null;
  state: NodeState;
  createdAt: number;
  ageHours: number;
  claimedBy: string | null;
  holdReason: string | null;
}

const COLUMNS: Column[] = [
  { header: "ID" },
  { header: "Provider" },
  { header: "Label" },
  { header: "Image version", align: "right" },
  { header: "Server ID" },
  { header: "IP" },
  { header: "State" },
  { header: "Age (hours)", align: "right" },
];

export interface NodeFilters {
  label?: string;
  state?: string;
}

export function nodeRows(
  live: Pick<LiveInventory, "readable" | "inventory">,
  filters: NodeFilters = {},
): NodeRow[] {
  const now = live.inventory.readAt;
  return live.readable
    .flatMap((provider) => provider.nodes)
    .filter((node) => filters.label === undefined || node.label === filters.label)
    .filter((node) => filters.state === undefined || node.state === filters.state)
    .map((node) => ({
      id: nodeId(node),
      provider: node.provider,
      label: node.label,
      name: node.name,
      imageVersion: node.imageVersion,
      serverId: node.serverId,
      ip: node.ip ?? null,
      state: node.state,
      createdAt: node.createdAt,
      ageHours: Number(ageHours(node.createdAt, now)),
      claimedBy: node.claimedBy ?? null,
      holdReason: node.holdReason ?? null,
    }))
    .sort(
      (a, b) =>
        compareNatural(a.provider, b.provider) ||
        compareNatural(a.label, b.label) ||
        a.createdAt - b.createdAt ||
        compareNatural(a.name, b.name) ||
        compareNatural(a.serverId, b.serverId),
    );
}

export function renderNodeTable(rows: readonly NodeRow[]): string {
  return renderTable(
    COLUMNS,
    rows.map((row) => [
      row.id,
      row.provider,
      row.label,
      String(row.imageVersion),
      row.serverId,
      row.ip ?? "",
      row.state,
      row.ageHours.toFixed(2),
    ]),
  );
}

export const nodeListCommand: Command<NodeListArgs> = {
  command: "node-list",
  describe: "List the pool nodes in every provider: label, image version, IP, state and age",
  builder: (yargs) =>
    withJson(withConfigFile(yargs))
      .option("label", { type: "string", describe: "only nodes of this label" })
      .option("provider", { type: "string", describe: "read only this provider" })
      .option("state", {
        type: "string",
        choices: NODE_STATES as string[],
        describe: "only nodes in this state",
      })
      .example([
        ["$0 node-list", "every node in every provider"],
        ["$0 node-list --label devstack-precise --state ready", "the ready nodes of one label"],
      ])
      .epilogue(
        "Exit codes: 0 listed, 1 invalid images.yaml, 2 wrong usage, " +
          "4 a provider could not be read (the others are still listed).",
      ),
  run: (args, io) =>
    runLiveList(args, io, {
      jsonKey: "nodes",
      rows: (live) => nodeRows(live, { label: args.label, state: args.state }),
      table: renderNodeTable,
    }),
};
