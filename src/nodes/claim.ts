// Claiming a ready node for a job, safely against other claimers in other processes.
//
// The lock is the node's Neutron port: a claim is a port update sent with
// `If-Match: revision_number=N`, the revision it read. Neutron applies it only if the port
// is still at revision N and bumps the revision, in one database transaction; of two
// claimers that read the same revision, exactly one update applies and the other gets 412
// and moves on to another node. Nova metadata has no such check (two writes both "succeed"),
// so it only mirrors the state for people and the planner, after the port says who won.
import { META } from "../core/metadata.js";
import { err, ok, type Result } from "../core/result.js";
import type { ProviderClients } from "../openstack/clients.js";
import { formatOpenStackError } from "../openstack/errors.js";
import type { NeutronPort } from "../openstack/neutron.js";
import type { NovaServer } from "../openstack/nova.js";
import { serverIp } from "../openstack/nova.js";

/** The port description of a claimed node; anything else means free. */
export const CLAIM_PREFIX = "nodepool-claim:";

export interface ClaimedNode {
  provider: string;
  serverId: string;
  name: string;
  ip?: string;
  label: string;
  imageVersion: string;
  claimedBy: string;
  /** How many other claimers got to a node first. */
  lostRaces: number;
}

export type ClaimFailure =
  { kind: "none-ready"; label: string; lostRaces: number } | { kind: "cloud"; message: string };

export interface ClaimRequest {
  label: string;
  /** Who claims: recorded on the node (a CI job id, a hostname). */
  claimer: string;
  /** Unix seconds, recorded as the state's time. */
  now: number;
  /** Candidate order: shuffled so concurrent claimers rarely start on the same node. */
  shuffle?: <T>(items: T[]) => T[];
}

function isReadyNode(server: NovaServer, provider: string, label: string): boolean {
  const meta = server.metadata ?? {};
  return (
    server.status === "ACTIVE" &&
    meta[META.kind] === "node" &&
    meta[META.provider] === provider &&
    meta[META.label] === label &&
    (meta[META.state] ?? "ready") === "ready"
  );
}

export function randomShuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Claim one ready node of the label in this provider. */
export async function claimInProvider(
  clients: ProviderClients,
  request: ClaimRequest,
): Promise<Result<ClaimedNode, ClaimFailure>> {
  const provider = clients.provider;
  const servers = await clients.nova.listServers();
  if (!servers.ok) return err({ kind: "cloud", message: formatOpenStackError(servers.error) });
  const ports = await clients.neutron.listPorts();
  if (!ports.ok) return err({ kind: "cloud", message: formatOpenStackError(ports.error) });
  const portByServer = new Map<string, NeutronPort>();
  for (const port of ports.value)
    if (!portByServer.has(port.device_id)) portByServer.set(port.device_id, port);

  const candidates = servers.value.filter((s) => isReadyNode(s, provider, request.label));
  let lostRaces = 0;
  for (const server of (request.shuffle ?? randomShuffle)(candidates)) {
    const port = portByServer.get(server.id);
    if (port === undefined || (port.description ?? "").startsWith(CLAIM_PREFIX)) continue;
    const claim = `${CLAIM_PREFIX}${request.claimer}:${request.now}`;
    const updated = await clients.neutron.updatePortIfRevision(
      port.id,
      { description: claim },
      port.revision_number,
    );
    if (!updated.ok) {
      if (updated.error.kind === "conflict") {
        lostRaces++;
        continue;
      }
      return err({ kind: "cloud", message: formatOpenStackError(updated.error) });
    }
    // Won: mirror it where people, node-list and the planner look.
    const marked = await clients.nova.setServerMetadata(server.id, {
      [META.state]: "in-use",
      [META.claimedBy]: request.claimer,
      [META.stateChangedAt]: String(request.now),
    });
    if (!marked.ok) return err({ kind: "cloud", message: formatOpenStackError(marked.error) });
    const ip = serverIp(server) ?? port.fixed_ips[0]?.ip_address;
    return ok({
      provider,
      serverId: server.id,
      name: server.name,
      ...(ip ? { ip } : {}),
      label: request.label,
      imageVersion: server.metadata[META.version] ?? "",
      claimedBy: request.claimer,
      lostRaces,
    });
  }
  return err({ kind: "none-ready", label: request.label, lostRaces });
}
