// Reads what nodepool owns in every provider into the Inventory model, the planner's input.
// Providers are read concurrently, each under its own deadline: a slow or broken one is
// reported unreadable with its error and never delays or hides the others. Per provider the
// calls are constant: one Glance image list and one Nova server list (plus their pages),
// never one call per item.
import type { ProviderConfig } from "../config/schema.js";
import { META } from "../core/metadata.js";
import type { Result } from "../core/result.js";
import type { Inventory, ProviderInventory, ReadableProvider } from "../plan/inventory.js";
import type { ProviderClients } from "./clients.js";
import { formatOpenStackError, type OpenStackError } from "./errors.js";
import { imageBuildFrom, poolNodeFrom, templateServerFrom } from "./inventory-mapping.js";

export interface InventoryOptions {
  /** Per provider, for all its calls together; default 60 s. */
  deadlineMs?: number;
  /** Page size of list calls (tests force several pages with a small one). */
  pageSize?: number;
}

export const DEFAULT_PROVIDER_DEADLINE_MS = 60_000;

type ProviderSettings = Pick<ProviderConfig, "name"> & { templateDomain?: string };

/**
 * @param clients by provider name; an error (say, its cloud is missing from clouds.yaml) makes
 *   that provider unreadable. A provider without an entry is unreadable too.
 * @param now Unix seconds: the inventory's readAt.
 */
export async function readInventory(
  config: { providers: readonly ProviderSettings[] },
  clients: Readonly<Record<string, Result<ProviderClients, OpenStackError>>>,
  now: number,
  options: InventoryOptions = {},
): Promise<Inventory> {
  const read = await Promise.all(
    config.providers.map((provider) => readProviderWithDeadline(provider, clients[provider.name], options)),
  );
  return { readAt: now, providers: Object.fromEntries(read.map((entry) => [entry.provider, entry])) };
}

async function readProviderWithDeadline(
  provider: ProviderSettings,
  opened: Result<ProviderClients, OpenStackError> | undefined,
  options: InventoryOptions,
): Promise<ProviderInventory> {
  const unreadable = (error: string): ProviderInventory => ({
    provider: provider.name,
    readable: false,
    error,
  });
  if (!opened) return unreadable(`${provider.name}: no client for this provider`);
  if (!opened.ok) return unreadable(formatOpenStackError(opened.error));
  const deadlineMs = options.deadlineMs ?? DEFAULT_PROVIDER_DEADLINE_MS;
  const deadline = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The abort stops requests in flight; the race also settles if something ignores the signal.
  const expired = new Promise<ProviderInventory>((resolve) => {
    timer = setTimeout(() => {
      deadline.abort();
      resolve(unreadable(`${provider.name}: not read within the ${deadlineMs} ms deadline`));
    }, deadlineMs);
  });
  try {
    return await Promise.race([
      readProvider(provider, opened.value.withSignal(deadline.signal), options),
      expired,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function readProvider(
  provider: ProviderSettings,
  clients: ProviderClients,
  options: InventoryOptions,
): Promise<ProviderInventory> {
  const name = provider.name;
  const [images, servers] = await Promise.all([
    // Glance filters on custom properties server-side.
    clients.glance.listImages({
      filters: { [META.kind]: "image", [META.provider]: name },
      pageSize: options.pageSize,
    }),
    // Nova cannot filter on metadata: one list of the project's servers, sorted out here.
    clients.nova.listServers({ pageSize: options.pageSize }),
  ]);
  if (!images.ok) return { provider: name, readable: false, error: formatOpenStackError(images.error) };
  if (!servers.ok) return { provider: name, readable: false, error: formatOpenStackError(servers.error) };
  const inventory: ReadableProvider = {
    provider: name,
    readable: true,
    images: [],
    templates: [],
    nodes: [],
  };
  for (const image of images.value) {
    const build = imageBuildFrom(name, image, provider.templateDomain);
    if (build) inventory.images.push(build);
  }
  for (const server of servers.value) {
    const template = templateServerFrom(name, server, provider.templateDomain);
    if (template) inventory.templates.push(template);
    const node = poolNodeFrom(name, server);
    if (node) inventory.nodes.push(node);
  }
  return inventory;
}
