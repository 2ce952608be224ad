// What every command that looks at the clouds starts with: images.yaml, each provider's
// clouds.yaml entry, and one inventory read of all of them (image-list, node-list, plan…).
import { formatIssue } from "../config/issues.js";
import { loadConfig } from "../config/load.js";
import type { LoadedConfig } from "../config/definition.js";
import type { ProviderConfig } from "../config/schema.js";
import { err, ok, type Result } from "../core/result.js";
import type { Inventory, ReadableProvider } from "../plan/inventory.js";
import { openProvider, type ProviderClients } from "../openstack/clients.js";
import type { OpenStackError } from "../openstack/errors.js";
import { readInventory, type InventoryOptions } from "../openstack/inventory.js";
import { EXIT } from "./exit-codes.js";
import { printJson, type Io } from "./io.js";

export interface LiveInventory {
  config: LoadedConfig;
  /** The providers that were read (all, or the one asked for). */
  providers: ProviderConfig[];
  inventory: Inventory;
  /** Readable providers only. */
  readable: ReadableProvider[];
  /** One line per provider that could not be read: "rax-iad: GET …: 503 …". */
  unreadable: { provider: string; error: string }[];
}

export interface LiveInventoryRequest extends InventoryOptions {
  file: string;
  /** Read only this provider. */
  provider?: string;
  /** Unix seconds; default now. */
  now?: number;
}

/** A failure before any cloud was read: what to print and the exit code. */
export interface CommandFailure {
  exitCode: number;
  messages: string[];
}

export async function loadLiveInventory(
  request: LiveInventoryRequest,
): Promise<Result<LiveInventory, CommandFailure>> {
  const loaded = loadConfig(request.file);
  if (!loaded.ok) return err({ exitCode: EXIT.failed, messages: loaded.error.map(formatIssue) });
  const config = loaded.value;
  const providers = request.provider
    ? config.providers.filter((provider) => provider.name === request.provider)
    : config.providers;
  if (providers.length === 0) {
    const known = config.providers.map((provider) => provider.name).join(", ");
    return err({
      exitCode: EXIT.usage,
      messages: [`no provider "${request.provider}" in ${request.file} (it has: ${known})`],
    });
  }
  const clients: Record<string, Result<ProviderClients, OpenStackError>> = {};
  for (const provider of providers) clients[provider.name] = openProvider(provider);
  const now = request.now ?? Math.floor(Date.now() / 1000);
  const inventory = await readInventory({ providers }, clients, now, request);
  const entries = providers.map((provider) => inventory.providers[provider.name]!);
  return ok({
    config,
    providers,
    inventory,
    readable: entries.filter((entry): entry is ReadableProvider => entry.readable),
    unreadable: entries.flatMap((entry) =>
      entry.readable ? [] : [{ provider: entry.provider, error: entry.error }],
    ),
  });
}

/** Unix seconds → hours with two decimals, as Nodepool's "Age (hours)". */
export function ageHours(createdAt: number, now: number): string {
  return (Math.max(0, now - createdAt) / 3600).toFixed(2);
}

/** Warns about each unreadable provider; the exit code of a list command: 4 if any, else 0. */
export function reportUnreadable(live: Pick<LiveInventory, "unreadable">, io: Io): number {
  for (const { provider, error } of live.unreadable) {
    io.err(`warning: provider ${provider} could not be read, its items are missing above: ${error}`);
  }
  return live.unreadable.length > 0 ? EXIT.cloud : EXIT.ok;
}

/** The arguments every list command takes: images.yaml, one provider or all, --json. */
export interface LiveListArgs {
  file: string;
  provider?: string;
  json: boolean;
}

/** What a list command shows of the inventory: its rows, their key in --json, their table. */
export interface LiveList<Row> {
  jsonKey: string;
  rows: (live: LiveInventory) => Row[];
  table: (rows: readonly Row[]) => string;
}

/**
 * The run of image-list, node-list and request-list, kept in one place so that they load,
 * fail, print and exit alike: read the clouds, print the rows (--json or a table), then warn
 * about each provider that could not be read.
 */
export async function runLiveList<Row>(args: LiveListArgs, io: Io, list: LiveList<Row>): Promise<number> {
  const live = await loadLiveInventory({ file: args.file, provider: args.provider });
  if (!live.ok) {
    for (const message of live.error.messages) io.err(message);
    return live.error.exitCode;
  }
  const rows = list.rows(live.value);
  if (args.json) printJson(io, { [list.jsonKey]: rows, unreadable: live.value.unreadable });
  else io.out(list.table(rows));
  return reportUnreadable(live.value, io);
}
