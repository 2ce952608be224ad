// The real world for the program: images.yaml from disk, clouds from clouds.yaml, the clock.
import { loadConfig } from "../config/load.js";
import type { LoadedConfig } from "../config/definition.js";
import { deleteNodes } from "../nodes/delete.js";
import { fenceNodes } from "../nodes/fence.js";
import { openProvider } from "../openstack/clients.js";
import { readInventory } from "../openstack/inventory.js";
import type { ProviderConfig } from "../config/schema.js";
import { err, ok } from "../core/result.js";
import { formatOpenStackError } from "../openstack/errors.js";
import type { ProgramSources } from "./program.js";

/**
 * A round creates and deletes servers in minutes (a build's snapshot waits use our clients);
 * sessions renew 20 min before expiry, so this only fails for clouds with short-lived tokens.
 */
const PROVIDER_TOKEN_MIN_LIFE_MS = 15 * 60_000;

export function liveSources(options: {
  imagesFile: string;
  stack: string;
  snapshotPollSeconds?: number;
  /** `pulumi preview`: read and plan only, change nothing in the cloud. */
  preview: boolean;
  warn?: (message: string) => void;
}): ProgramSources {
  // Each provider's cloud is resolved once: its clients read the inventory, and its
  // credentials go to the snapshot provider.
  const opened = new Map<string, ReturnType<typeof openProvider>>();
  const open = (provider: ProviderConfig) => {
    if (!opened.has(provider.name)) opened.set(provider.name, openProvider(provider));
    return opened.get(provider.name)!;
  };
  const clientsNamed = (config: LoadedConfig, name: string) => {
    const clients = open(config.providers.find((p) => p.name === name)!);
    return clients.ok ? ok(clients.value) : err(clients.error.message);
  };
  return {
    stack: options.stack,
    loadConfig: () => loadConfig(options.imagesFile),
    cloudFor: (config, name) => {
      const clients = open(config.providers.find((p) => p.name === name)!);
      return clients.ok ? ok(clients.value.session.cloud) : err(clients.error.message);
    },
    readInventory: (config) => {
      const now = Math.floor(Date.now() / 1000);
      const clients = Object.fromEntries(config.providers.map((p) => [p.name, open(p)]));
      return readInventory(config, clients, now);
    },
    snapshotPollSeconds: options.snapshotPollSeconds,
    deleteRequests: options.preview
      ? undefined
      : async (config, requests) => {
          const problems: string[] = [];
          for (const request of requests) {
            const clients = open(config.providers.find((p) => p.name === request.provider)!);
            if (!clients.ok) {
              problems.push(clients.error.message);
              continue;
            }
            const deleted = await clients.value.neutron.deletePort(request.id);
            if (!deleted.ok) problems.push(formatOpenStackError(deleted.error));
          }
          return problems;
        },
    deleteNodes: options.preview
      ? undefined
      : async (config, nodes) => (await deleteNodes((name) => clientsNamed(config, name), nodes)).problems,
    providerToken: async (config, name) => {
      const clients = open(config.providers.find((p) => p.name === name)!);
      if (!clients.ok) return undefined;
      const token = await clients.value.session.currentToken();
      // The provider cannot renew a token it was given: only one that outlives any round.
      return token.ok && token.value.expiresAtMs - Date.now() > PROVIDER_TOKEN_MIN_LIFE_MS
        ? token.value.value
        : undefined;
    },
    warn: options.warn,
    // A preview changes nothing, so it fences nothing (its plan may show deletes a claim beats).
    fenceNodes: options.preview
      ? undefined
      : (config, nodes) =>
          fenceNodes(
            (name) => clientsNamed(config, name),
            nodes,
            `nodepool-round ${options.stack}`,
            Math.floor(Date.now() / 1000),
          ),
  };
}
