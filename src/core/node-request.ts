// A node request: a job waiting for a node of a label that had none ready (Nodepool's node
// request). It lives in the cloud, as a Neutron port without a device or an address, so every
// planner of the provider (a reconciler on any machine, CI's `pulumi up`) sees the same
// requests with no store of its own (docs/decisions.md). This module owns the record's form,
// its lifetime and how requests are served; the claimer writes it, the inventory reads it,
// the plan counts and expires it.

/** device_owner of a request's port: what the inventory lists requests by. */
export const REQUEST_DEVICE_OWNER = "nodepool:request";

/** Prefix of a request port's description (the rest is JSON); anything else is not a request. */
export const REQUEST_PREFIX = "nodepool-request ";

/** How often a waiting claimer rewrites its request, so a planner can tell it is alive. */
export const REQUEST_HEARTBEAT_SECONDS = 10;

/**
 * A request not rewritten for this long belongs to a claimer that died (killed, its machine
 * gone): no node is booted for it any more, and the next round deletes it. Over four missed
 * heartbeats, so a claimer slowed by a busy cloud is not mistaken for a dead one.
 */
export const REQUEST_EXPIRY_SECONDS = 45;

/** What the description records; the times come from Neutron (created_at, updated_at). */
export interface RequestRecord {
  label: string;
  requester: string;
  /** Bumped by each heartbeat, so that Neutron sees a change and moves updated_at. */
  beat: number;
}

export function requestDescription(record: RequestRecord): string {
  return `${REQUEST_PREFIX}${JSON.stringify({ label: record.label, by: record.requester, beat: record.beat })}`;
}

export function parseRequestDescription(description: string | undefined): RequestRecord | undefined {
  if (description === undefined || !description.startsWith(REQUEST_PREFIX)) return undefined;
  try {
    const value = JSON.parse(description.slice(REQUEST_PREFIX.length)) as Record<string, unknown>;
    if (typeof value["label"] !== "string" || value["label"] === "") return undefined;
    return {
      label: value["label"],
      requester: typeof value["by"] === "string" ? value["by"] : "",
      beat: typeof value["beat"] === "number" ? value["beat"] : 0,
    };
  } catch {
    return undefined;
  }
}

/** A request whose claimer stopped rewriting it: judged on one clock (both times are ours). */
export function requestExpired(heartbeatAt: number, now: number): boolean {
  return now - heartbeatAt >= REQUEST_EXPIRY_SECONDS;
}
