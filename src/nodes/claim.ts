// Claiming a ready node for a job, safely against other claimers in other processes.
//
// The lock is the node's Neutron port: a claim is a port update of its description sent with
// `If-Match: revision_number=N`, the revision the claimer read. A claimer that arrives after
// another's update committed gets 412 and moves on to another node. Nova metadata has no such
// check (two writes both "succeed"), so it only mirrors the state for people and the planner,
// after the port says who won.
//
// Neutron's If-Match is not enough on its own under true concurrency. Neutron Zed (21.0)
// checks the constraint once, then clears it (revision_plugin._get_constrained_instance_match);
// two updates that both read revision N collide on the revision's version counter, the loser's
// transaction is retried by Neutron, and the retry applies with no constraint left: both get
// 200. So the winner is decided from the answer: an update answers with the revision it bumped
// the port to, and only the update that committed on top of revision N answers N+1 (a retried
// one was applied on top of the winner's, so it answers N+2 or more). A claimer whose update
// applied but answers more than N+1 lost; its description overwrote the winner's, so it writes
// the winner's claim back (read from the winner's Nova metadata) before moving on.
//
// A claimer that dies between locking the port and writing Nova's metadata leaves a node
// whose server says ready but whose port says claimed. Once that claim is older than
// STALE_CLAIM_SECONDS, the next claimer takes it over by the same update (so of two claimers
// taking it over, one wins). Locking and mirroring take seconds, so a claim that old has no
// live claimer behind it.
import { META } from "../core/metadata.js";
import {
  claimDescription,
  claimPorts,
  parseClaim,
  portVerdict,
  STALE_CLAIM_SECONDS,
} from "../core/port-claim.js";
import { isoSeconds } from "../core/cloud-clock.js";
import { err, ok, type Result } from "../core/result.js";
import type { ProviderClients } from "../openstack/clients.js";
import { formatOpenStackError, type OpenStackError } from "../openstack/errors.js";
import type { NeutronPort } from "../openstack/neutron.js";
import type { NovaServer } from "../openstack/nova.js";
import { serverIp } from "../openstack/nova.js";
import { isClaimableServer } from "../plan/node-rules.js";

export {
  CLAIM_PREFIX,
  claimDescription,
  claimPorts,
  parseClaim,
  portVerdict,
  STALE_CLAIM_SECONDS,
  type PortClaim,
  type PortVerdict,
} from "../core/port-claim.js";

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
  /** Of those, how many Neutron answered 200 although another update won (see above). */
  lostDespite200: number;
  /** Set when the node's port held a stale claim of a claimer that died: who that was. */
  tookOverFrom?: string;
}

export type ClaimFailure =
  | {
      kind: "none-ready";
      label: string;
      lostRaces: number;
      lostDespite200: number;
      skipped: string[];
      /** Ready nodes with no port, which nothing can claim (their provider has no network). */
      portless: { serverId: string; name: string }[];
    }
  | { kind: "cloud"; message: string };

export interface ClaimRequest {
  label: string;
  /** Who claims: recorded on the node (a CI job id, a hostname). */
  claimer: string;
  /** Unix seconds, recorded as the state's time. */
  now: number;
  /** Candidate order; default shuffled, so concurrent claimers rarely start on the same node. */
  order?: (servers: NovaServer[]) => NovaServer[];
  /** Default STALE_CLAIM_SECONDS. */
  staleClaimSeconds?: number;
  /** Only this server: how an operator's release/hold/delete takes a ready node's lock. */
  serverId?: string;
  /**
   * The metadata written to Nova once the port is won; default in-use by the claimer. A mark
   * that must take the lock first (mark.ts lockAndMark: a fence's deleting, an operator's
   * used or hold) writes its own state here, so the node never shows in-use by nobody.
   */
  mirror?: Record<string, string>;
  /** Also lock a node still booting (BUILD): a fence must, since it may be ACTIVE any moment. */
  acceptBooting?: boolean;
}

/**
 * Whether an If-Match update sent with the revision read won: only the update that committed
 * on top of that revision answers one more (Neutron answers with the revision its first bump
 * made, even when its transaction bumps the port again before committing).
 */
export function wonUpdate(revisionRead: number, revisionAnswered: number): boolean {
  return revisionAnswered === revisionRead + 1;
}

export function randomShuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Candidates in name order: every claimer starts at the same node (to exercise the lock). */
export function sortedByName(servers: NovaServer[]): NovaServer[] {
  return [...servers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
}

/** Claim one ready node of the label in this provider. */
export async function claimInProvider(
  clients: ProviderClients,
  request: ClaimRequest,
): Promise<Result<ClaimedNode, ClaimFailure>> {
  const provider = clients.provider;
  const staleAfter = request.staleClaimSeconds ?? STALE_CLAIM_SECONDS;
  const servers = await listCandidates(clients, request);
  if (!servers.ok) return err({ kind: "cloud", message: formatOpenStackError(servers.error) });
  const ready = (request.order ?? randomShuffle)(
    servers.value.filter((s) => isClaimableServer(s, provider, request.label, request.acceptBooting)),
  );
  // Only the candidates' ports: with no candidate, no request at all.
  const ports = await clients.neutron.listPorts({ deviceIds: ready.map((s) => s.id) });
  if (!ports.ok) return err({ kind: "cloud", message: formatOpenStackError(ports.error) });
  const portByServer = claimPorts(ports.value);
  // The lists' answers told the cloud's clock (fakes in unit tests have no session: ours).
  const cloudNow = clients.session?.cloudNowSeconds() ?? request.now;

  const restores: Promise<void>[] = [];
  const free: NovaServer[] = [];
  const stale: NovaServer[] = [];
  const portless: { serverId: string; name: string }[] = [];
  for (const server of ready) {
    const port = portByServer.get(server.id);
    if (port === undefined) {
      portless.push({ serverId: server.id, name: server.name });
      continue;
    }
    // Judged on the cloud's clock: a claimer whose clock runs fast must not take over live claims.
    const verdict = portVerdict(port.description, request.now, staleAfter, {
      now: cloudNow,
      writtenAt: isoSeconds(port.updated_at as string | undefined),
    });
    if (verdict === "free") free.push(server);
    if (verdict === "stale") stale.push(server);
  }

  let lostRaces = 0;
  let lostDespite200 = 0;
  const skipped: string[] = [];
  const errors: string[] = [];
  // Free ports first: a stale claim is only taken over when nothing else is left.
  for (const server of [...free, ...stale]) {
    const port = portByServer.get(server.id)!;
    const previous = parseClaim(port.description);
    const claim = claimDescription(request.claimer, request.now);
    const updated = await clients.neutron.updatePortIfRevision(
      port.id,
      { description: claim },
      port.revision_number,
    );
    let answered: NeutronPort;
    if (updated.ok) answered = updated.value;
    else if (updated.error.kind === "conflict") {
      lostRaces++;
      continue;
    } else {
      // The update is never retried: if only its answer was lost, the port says so.
      const reread = await clients.neutron.showPort(port.id);
      if (!reread.ok || reread.value?.description !== claim) {
        errors.push(formatOpenStackError(updated.error));
        continue;
      }
      // Whether it was first cannot be told any more: treat it as lost, and put back the claim
      // of whoever won (if anyone did, it shows in Nova).
      lostRaces++;
      restores.push(restoreWinnerClaim(clients, port.id, server.id, claim));
      continue;
    }
    if (!wonUpdate(port.revision_number, answered.revision_number)) {
      lostRaces++;
      lostDespite200++;
      restores.push(restoreWinnerClaim(clients, port.id, server.id, claim));
      continue;
    }
    // Won the port. The list may be stale: the planner may have marked the node for deletion,
    // an operator held it, or it is gone. Then give the port back and try the next one.
    const fresh = await clients.nova.showServer(server.id);
    if (
      !fresh.ok ||
      fresh.value === undefined ||
      !isClaimableServer(fresh.value, provider, request.label, request.acceptBooting)
    ) {
      skipped.push(`${server.name}: ${fresh.ok ? (fresh.value ? "no longer ready" : "gone") : "unreadable"}`);
      await giveBack(clients, port.id, claim, port.description ?? "");
      continue;
    }
    // Mirror it where people, node-list and the planner look.
    const marked = await clients.nova.setServerMetadata(
      server.id,
      request.mirror ?? {
        [META.state]: "in-use",
        [META.claimedBy]: request.claimer,
        [META.stateChangedAt]: String(request.now),
      },
    );
    if (!marked.ok) {
      // Give the port back (best effort) so the node is not stuck until the claim goes stale.
      await giveBack(clients, port.id, claim, port.description ?? "");
      await Promise.all(restores);
      return err({ kind: "cloud", message: formatOpenStackError(marked.error) });
    }
    await Promise.all(restores);
    const ip = serverIp(fresh.value) ?? port.fixed_ips[0]?.ip_address;
    return ok({
      provider,
      serverId: server.id,
      name: server.name,
      ...(ip ? { ip } : {}),
      label: request.label,
      imageVersion: fresh.value.metadata[META.version] ?? "",
      claimedBy: request.claimer,
      lostRaces,
      lostDespite200,
      ...(previous ? { tookOverFrom: previous.claimer } : {}),
    });
  }
  await Promise.all(restores);
  if (errors.length > 0) return err({ kind: "cloud", message: errors.join("; ") });
  return err({ kind: "none-ready", label: request.label, lostRaces, lostDespite200, skipped, portless });
}

/**
 * The servers a claim could take, asked of Nova as narrowly as it allows, since jobs waiting
 * on an empty pool ask again every few seconds: the one server the request names; else ACTIVE
 * servers (metadata cannot be filtered server-side), and BUILD ones too when booting nodes
 * count. Nova's next links keep only one of repeated status filters, so one list per status;
 * BUILD first, so that a node turning ACTIVE between the two is in one list or both (the
 * later record wins).
 */
async function listCandidates(
  clients: ProviderClients,
  request: ClaimRequest,
): Promise<Result<NovaServer[], OpenStackError>> {
  if (request.serverId !== undefined) {
    const server = await clients.nova.showServer(request.serverId);
    return server.ok ? ok(server.value ? [server.value] : []) : server;
  }
  const byId = new Map<string, NovaServer>();
  for (const status of request.acceptBooting ? ["BUILD", "ACTIVE"] : ["ACTIVE"]) {
    const listed = await clients.nova.listServers({ filters: { status } });
    if (!listed.ok) return listed;
    for (const server of listed.value) byId.set(server.id, server);
  }
  return ok([...byId.values()]);
}

/** Puts the port's description back to what it was, if it still holds our claim (best effort). */
async function giveBack(clients: ProviderClients, portId: string, ours: string, previous: string) {
  const port = await clients.neutron.showPort(portId);
  if (!port.ok || port.value?.description !== ours) return;
  await clients.neutron.updatePortIfRevision(portId, { description: previous }, port.value.revision_number);
}

const RESTORE_SECONDS = 30;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A lost update that Neutron applied anyway overwrote the winner's claim with ours: once the
 * winner's Nova metadata names it, write its claim back, unless somebody wrote the port since
 * (then it is theirs to put right). Gives up after RESTORE_SECONDS, leaving our claim: the
 * node is then in-use or held by its winner (the port only needs to say "claimed"), or nobody
 * won it and the stale claim is taken over later.
 */
export async function restoreWinnerClaim(
  clients: ProviderClients,
  portId: string,
  serverId: string,
  ours: string,
): Promise<void> {
  const until = Date.now() + RESTORE_SECONDS * 1000;
  while (Date.now() < until) {
    const server = await clients.nova.showServer(serverId);
    if (server.ok && server.value === undefined) return;
    const meta = server.ok ? server.value!.metadata : {};
    const winner = meta[META.claimedBy];
    const at = Number(meta[META.stateChangedAt]);
    if (winner !== undefined && (meta[META.state] ?? "ready") !== "ready" && Number.isInteger(at)) {
      const port = await clients.neutron.showPort(portId);
      if (!port.ok) return;
      if (port.value === undefined || port.value.description !== ours) return;
      const restored = await clients.neutron.updatePortIfRevision(
        portId,
        { description: claimDescription(winner, at) },
        port.value.revision_number,
      );
      if (restored.ok) return;
      // 412: somebody wrote it meanwhile; look again.
      continue;
    }
    await pause(500);
  }
}
