// Reads what nodepool owns in every provider into the Inventory model, the planner's input.
// Providers are read concurrently, each under its own deadline: a slow or broken one is
// reported unreadable with its error and never delays or hides the others. So is one whose
// server list has servers Nova could not describe (a partial answer: never read as complete).
// Per provider the calls are constant: three Glance image lists (hidden, the rest, hidden
// again), one Nova server list, one Neutron list of node requests and, when there are ready nodes, one Neutron port list (plus
// their pages), never one call per item.
import type { ProviderConfig } from "../config/schema.js";
import { cloudToLocalSeconds, isoSeconds } from "../core/cloud-clock.js";
import { META } from "../core/metadata.js";
import type { Result } from "../core/result.js";
import { claimPorts, parseClaim, portVerdict, STALE_CLAIM_SECONDS } from "../core/port-claim.js";
import { stateWithLock } from "../plan/node-rules.js";
import type {
  Headroom,
  Inventory,
  PoolNode,
  ProviderInventory,
  Quota,
  ReadableProvider,
} from "../plan/inventory.js";
import type { ProviderClients } from "./clients.js";
import { formatOpenStackError, type OpenStackError } from "./errors.js";
import { imageBuildFrom, nodeRequestFrom, poolNodeFrom, templateServerFrom } from "./inventory-mapping.js";
import { REQUEST_DEVICE_OWNER } from "../core/node-request.js";
import { isPartialServer, type NovaAbsoluteLimits } from "./nova.js";

export interface InventoryOptions {
  /** Per provider, for all its calls together; default 60 s. */
  deadlineMs?: number;
  /** Page size of Glance and Neutron lists (tests force several pages with a small one). */
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
    config.providers.map((provider) =>
      readProviderWithDeadline(provider, clients[provider.name], now, options),
    ),
  );
  return { readAt: now, providers: Object.fromEntries(read.map((entry) => [entry.provider, entry])) };
}

async function readProviderWithDeadline(
  provider: ProviderSettings,
  opened: Result<ProviderClients, OpenStackError> | undefined,
  now: number,
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
      readProvider(provider, opened.value.withSignal(deadline.signal), now, options),
      expired,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function readProvider(
  provider: ProviderSettings,
  clients: ProviderClients,
  now: number,
  options: InventoryOptions,
): Promise<ProviderInventory> {
  const name = provider.name;
  const [images, servers, requestPorts, limits, flavors, portQuota] = await Promise.all([
    // Glance filters on custom properties server-side. Hidden snapshots are still ours.
    clients.glance.listImagesWithHidden({
      filters: { [META.kind]: "image", [META.provider]: name },
      pageSize: options.pageSize,
    }),
    // Nova cannot filter on metadata: one list of the project's servers, sorted out here.
    // Unpaged, or Nova would leave a down cell's servers out (listEveryServer).
    clients.nova.listEveryServer(),
    // Jobs waiting for a node (core/node-request.ts): ports that are only records.
    clients.neutron.listPorts({ deviceOwner: REQUEST_DEVICE_OWNER }, options.pageSize),
    // The quota and what every server takes of it: what the plan may still ask for. Not
    // knowing it (a policy that hides it) leaves the plan to max-servers, as before.
    clients.nova.absoluteLimits(),
    clients.nova.listFlavors(),
    clients.neutron.portQuota(),
  ]);
  if (!images.ok) return { provider: name, readable: false, error: formatOpenStackError(images.error) };
  if (!servers.ok) return { provider: name, readable: false, error: formatOpenStackError(servers.error) };
  if (!requestPorts.ok)
    return { provider: name, readable: false, error: formatOpenStackError(requestPorts.error) };
  // A server Nova could not describe may be one of ours: left out, Pulumi would delete it.
  const partial = servers.value.filter(isPartialServer).map((server) => server.id);
  if (partial.length > 0) return { provider: name, readable: false, error: partialListError(name, partial) };
  const quota = quotaOf(limits.ok ? limits.value : {}, portQuota.ok ? portQuota.value : undefined);
  const inventory: ReadableProvider = {
    provider: name,
    readable: true,
    images: [],
    templates: [],
    nodes: [],
    requests: [],
    ...(quota ? { quota } : {}),
    ...(flavors.ok
      ? { flavors: Object.fromEntries(flavors.value.map((f) => [f.name, { vcpus: f.vcpus, ramMb: f.ram }])) }
      : {}),
  };
  // Nova's `created` is on the cloud's clock; ages are judged against `now`, on ours. Read on
  // ours, a runner an hour fast no longer sees every booting node past its launch-timeout.
  const offsetMs = clients.session?.clockOffsetMs;
  for (const image of images.value) {
    const build = imageBuildFrom(name, image, provider.templateDomain);
    // A snapshot time written by another machine's clock: never later than now.
    if (build) inventory.images.push({ ...build, createdAt: Math.min(build.createdAt, now) });
  }
  for (const server of servers.value) {
    const template = templateServerFrom(name, server, provider.templateDomain);
    if (template)
      inventory.templates.push({ ...template, createdAt: cloudToLocalSeconds(template.createdAt, offsetMs) });
    const node = poolNodeFrom(name, server);
    if (node) inventory.nodes.push({ ...node, createdAt: cloudToLocalSeconds(node.createdAt, offsetMs) });
  }
  for (const port of requestPorts.value) {
    const request = nodeRequestFrom(name, port, offsetMs);
    if (request) inventory.requests.push(request);
  }
  const locked = await markClaimsInProgress(inventory.nodes, clients, now, options);
  return locked === undefined ? inventory : { provider: name, readable: false, error: locked };
}

const SHOWN_IDS = 20;

function partialListError(provider: string, ids: readonly string[]): string {
  const shown = ids.slice(0, SHOWN_IDS).join(", ");
  const more = ids.length > SHOWN_IDS ? `, and ${ids.length - SHOWN_IDS} more` : "";
  return (
    `${provider}: Nova listed ${ids.length} server(s) it could not describe (status UNKNOWN or no ` +
    `metadata: a cell that did not answer?); nothing is planned here until it lists them in full: ` +
    `${shown}${more}`
  );
}

/**
 * Ready nodes' port locks, applied as plan/node-rules.ts stateWithLock says (a live lock makes
 * a ready node in-use). One port list, only when there are ready nodes. Returns an error when
 * the ports cannot be read: then nothing may be planned.
 */
async function markClaimsInProgress(
  nodes: PoolNode[],
  clients: ProviderClients,
  now: number,
  options: InventoryOptions,
): Promise<string | undefined> {
  if (!nodes.some((node) => node.state === "ready")) return undefined;
  const ports = await clients.neutron.listPorts({}, options.pageSize);
  if (!ports.ok) return formatOpenStackError(ports.error);
  const lockPorts = claimPorts(ports.value);
  // A lock's age on the cloud's clock (core/cloud-clock.ts), as a claim judges it.
  const cloudNow = clients.session?.cloudNowSeconds() ?? now;
  for (const node of nodes) {
    if (node.state !== "ready") continue;
    const port = lockPorts.get(node.serverId);
    const description = port?.description;
    const written = isoSeconds(port?.updated_at as string | undefined);
    const verdict = portVerdict(description, now, STALE_CLAIM_SECONDS, { now: cloudNow, writtenAt: written });
    const state = stateWithLock(node.state, verdict);
    if (state === node.state) continue;
    node.state = state;
    node.claimedBy = parseClaim(description)?.claimer;
  }
  return undefined;
}

/** Nova's absolute limits as the plan reads them: a dimension with no limit (-1) is left out. */
export function quotaOf(limits: NovaAbsoluteLimits, ports?: Headroom): Quota | undefined {
  const dimension = (limit: number | undefined, used: number | undefined): Headroom | undefined =>
    limit === undefined || limit < 0 ? undefined : { limit, used: Math.max(0, used ?? 0) };
  const quota: Quota = {};
  const instances = dimension(limits.maxTotalInstances, limits.totalInstancesUsed);
  const cores = dimension(limits.maxTotalCores, limits.totalCoresUsed);
  const ramMb = dimension(limits.maxTotalRAMSize, limits.totalRAMUsed);
  if (instances) quota.instances = instances;
  if (cores) quota.cores = cores;
  if (ramMb) quota.ramMb = ramMb;
  const portRoom = ports && dimension(ports.limit, ports.used);
  if (portRoom) quota.ports = portRoom;
  return Object.keys(quota).length > 0 ? quota : undefined;
}
