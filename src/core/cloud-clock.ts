// Whose clock a time is on. Nova's `created`, Neutron's `updated_at` and Glance's `created_at`
// are on the cloud's clock; `now` is on this machine's; a claim time in a port description is
// on some other claimer's. Comparing across clocks is how a runner an hour fast deletes every
// booting node, or a claimer ten minutes fast takes over live claims. So ages are judged on
// the cloud's clock, whose offset from ours every response's Date header tells.

/**
 * The cloud clock minus ours, in ms, from one response. Date has whole seconds, so the cloud's
 * time is, on average, half a second past what it says.
 */
export function clockOffsetMs(
  dateHeader: string | null | undefined,
  receivedAtMs: number,
): number | undefined {
  if (!dateHeader) return undefined;
  const cloudMs = Date.parse(dateHeader);
  if (Number.isNaN(cloudMs)) return undefined;
  return cloudMs + 500 - receivedAtMs;
}

/** A time on the cloud's clock (Unix seconds) read on ours. */
export function cloudToLocalSeconds(cloudSeconds: number, offsetMs: number | undefined): number {
  return offsetMs === undefined ? cloudSeconds : Math.round(cloudSeconds - offsetMs / 1000);
}

/** An ISO timestamp as OpenStack writes it (no zone means UTC), in Unix seconds. */
export function isoSeconds(text: string | undefined | null): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}
