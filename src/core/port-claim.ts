// The lock a claim puts on a node's Neutron port, as text in the port's description. Shared by
// the claim (src/nodes/claim.ts), which writes and judges it, and the inventory reader, which
// must see a claim in progress so that no reconcile deletes a node a job is taking.

/** The port description of a claimed node; anything else means free. */
export const CLAIM_PREFIX = "nodepool-claim:";

/** A port claim this old on a server that still says ready was left by a dead claimer. */
export const STALE_CLAIM_SECONDS = 600;

export interface PortClaim {
  claimer: string;
  /** Unix seconds on the claimer's clock; undefined when the description has none. */
  at: number | undefined;
}

export function claimDescription(claimer: string, now: number): string {
  return `${CLAIM_PREFIX}${claimer}:${now}`;
}

/** The claim a port description records, or undefined when the port is free. */
export function parseClaim(description: string | undefined): PortClaim | undefined {
  if (description === undefined || !description.startsWith(CLAIM_PREFIX)) return undefined;
  const rest = description.slice(CLAIM_PREFIX.length);
  // The claimer may itself hold colons (host:pid): the time is after the last one.
  const match = /^(.*):(\d+)$/.exec(rest);
  if (!match) return { claimer: rest, at: undefined };
  return { claimer: match[1]!, at: Number(match[2]) };
}

export type PortVerdict = "free" | "claimed" | "stale";

/**
 * Whether a ready node's port may be claimed: free, or held by a claim old enough that its
 * claimer must have died before mirroring it in Nova. With `cloud` (the cloud's now, and when
 * the port was last updated, Neutron's updated_at, both on the cloud's clock) the age needs
 * no claimer's clock at all (core/cloud-clock.ts); without it, the claim's own time against
 * `now`. A claim without a readable time is never taken over (it is not ours to judge).
 */
export function portVerdict(
  description: string | undefined,
  now: number,
  staleAfter: number,
  cloud?: { now: number; writtenAt: number | undefined },
): PortVerdict {
  const claim = parseClaim(description);
  if (claim === undefined) return "free";
  const age =
    cloud?.writtenAt !== undefined
      ? cloud.now - cloud.writtenAt
      : claim.at !== undefined
        ? now - claim.at
        : undefined;
  if (age === undefined) return "claimed";
  return age >= staleAfter ? "stale" : "claimed";
}

/** What of a Neutron port the lock needs. */
export interface LockPort {
  id: string;
  device_id: string;
  description?: string;
}

/** The port a node is claimed by: of several, the lowest id, so every claimer picks the same. */
export function claimPorts<P extends LockPort>(ports: readonly P[]): Map<string, P> {
  const byServer = new Map<string, P>();
  for (const port of ports) {
    if (!port.device_id) continue;
    const seen = byServer.get(port.device_id);
    if (seen === undefined || port.id < seen.id) byServer.set(port.device_id, port);
  }
  return byServer;
}
