// `nodepool request-list`: jobs waiting for a node (Nodepool's verb), oldest first.
import { requestExpired } from "../../core/node-request.js";
import type { NodeRequest } from "../../plan/inventory.js";
import { withConfigFile, withJson, type Command } from "../command.js";
import { requestId } from "../../core/ids.js";
import { compareNatural } from "../../core/sort.js";
import { runLiveList, type LiveInventory } from "../live-inventory.js";
import { renderTable, type Column } from "../table.js";

interface RequestListArgs {
  file: string;
  label?: string;
  provider?: string;
  json: boolean;
}

export interface RequestRow {
  id: string;
  provider: string;
  label: string;
  requester: string;
  createdAt: number;
  /** Seconds since it was made, and since its claimer last said it still waits. */
  waitingSeconds: number;
  heartbeatSeconds: number;
  /** open: its claimer is alive; expired: it stopped its heartbeat (the next round deletes it). */
  state: "open" | "expired";
  portId: string;
}

const COLUMNS: Column[] = [
  { header: "ID" },
  { header: "Provider" },
  { header: "Label" },
  { header: "Requester" },
  { header: "State" },
  { header: "Waiting (s)", align: "right" },
  { header: "Heartbeat (s ago)", align: "right" },
];

export function requestRows(
  live: Pick<LiveInventory, "readable" | "inventory">,
  filters: { label?: string } = {},
): RequestRow[] {
  const now = live.inventory.readAt;
  return live.readable
    .flatMap((provider) => provider.requests)
    .filter((request) => filters.label === undefined || request.label === filters.label)
    .map((request: NodeRequest) => ({
      id: requestId(request),
      provider: request.provider,
      label: request.label,
      requester: request.requester,
      createdAt: request.createdAt,
      waitingSeconds: Math.max(0, now - request.createdAt),
      heartbeatSeconds: Math.max(0, now - request.heartbeatAt),
      state: requestExpired(request.heartbeatAt, now) ? ("expired" as const) : ("open" as const),
      portId: request.id,
    }))
    .sort(
      (a, b) =>
        a.createdAt - b.createdAt ||
        compareNatural(a.provider, b.provider) ||
        compareNatural(a.label, b.label) ||
        compareNatural(a.portId, b.portId),
    );
}

export const requestListCommand: Command<RequestListArgs> = {
  command: "request-list",
  describe: "List the node requests: jobs waiting (node claim --wait) for a node the pool boots for them",
  builder: (yargs) =>
    withJson(withConfigFile(yargs))
      .option("label", { type: "string", describe: "only requests for this label" })
      .option("provider", { type: "string", describe: "read only this provider" })
      .example([
        ["$0 request-list", "every waiting job, oldest first"],
        ["$0 request-list --label devstack-precise --json", "one label's, for a script"],
      ])
      .epilogue(
        "A claim that waits (`nodepool node claim LABEL --wait S`) and finds no ready node records " +
          "a request in the label's first provider; the plan boots a node for each open request " +
          "beyond min-ready, up to max-servers. The claimer rewrites its request every 10 s and " +
          "deletes it when it gets a node, gives up or is stopped; one not rewritten for 45 s is " +
          "expired and the next round deletes it.\n\n" +
          "Exit codes: 0 listed, 1 invalid images.yaml, 2 wrong usage, " +
          "4 a provider could not be read (the others are still listed).",
      ),
  run: (args, io) =>
    runLiveList(args, io, {
      jsonKey: "requests",
      rows: (live) => requestRows(live, { label: args.label }),
      table: (rows) =>
        renderTable(
          COLUMNS,
          rows.map((row) => [
            row.id,
            row.provider,
            row.label,
            row.requester,
            row.state,
            String(row.waitingSeconds),
            String(row.heartbeatSeconds),
          ]),
        ),
    }),
};
