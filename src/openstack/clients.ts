// The clients of one provider, built from its clouds.yaml entry: one Session (one token) shared
// by Glance, Nova and Neutron, and with the provider's other processes through the token cache.
import { err, ok, type Result } from "../core/result.js";
import { processCloudSources, resolveCloud, type CloudSources } from "./clouds-config.js";
import type { OpenStackError } from "./errors.js";
import { glanceClient, type GlanceClient } from "./glance.js";
import { neutronClient, type NeutronClient } from "./neutron.js";
import { novaClient, type NovaClient } from "./nova.js";
import { Session, type SessionOptions } from "./session.js";
import { processTokenCache } from "./token-cache.js";

export interface ProviderClients {
  provider: string;
  session: Session;
  glance: GlanceClient;
  nova: NovaClient;
  neutron: NeutronClient;
  /** The same clients (token, counters) with every request bound to a deadline. */
  withSignal(signal: AbortSignal): ProviderClients;
}

export function clientsForSession(session: Session): ProviderClients {
  return {
    provider: session.provider,
    session,
    glance: glanceClient(session),
    nova: novaClient(session),
    neutron: neutronClient(session),
    withSignal: (signal) => clientsForSession(session.withSignal(signal)),
  };
}

export interface ProviderRef {
  name: string;
  /** The clouds.yaml entry. */
  cloud: string;
  region?: string;
}

/** Opens a provider: finds its cloud (no request is sent until the first call). */
export function openProvider(
  provider: ProviderRef,
  options: Omit<SessionOptions, "provider" | "region"> & { sources?: CloudSources } = {},
): Result<ProviderClients, OpenStackError> {
  const sources = options.sources ?? processCloudSources();
  const cloud = resolveCloud(provider.cloud, sources);
  if (!cloud.ok) return err({ kind: "config", provider: provider.name, message: cloud.error });
  const session = new Session(cloud.value, {
    tokenCache: processTokenCache(sources),
    ...options,
    provider: provider.name,
    region: provider.region,
  });
  return ok(clientsForSession(session));
}
