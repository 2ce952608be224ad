// `node claim --wait`: when to look again for a ready node.

/** Seconds between looks while waiting. */
export const POLL_SECONDS = 5;

/**
 * How long to sleep before the next look, or undefined to give up: looks go on every
 * `poll` seconds until the deadline, and the last one is at the deadline itself, so
 * `--wait 5` looks at 0 s and 5 s, and `--wait 0` looks once.
 */
export function nextPollDelayMs(nowMs: number, deadlineMs: number, poll = POLL_SECONDS): number | undefined {
  const left = deadlineMs - nowMs;
  if (left <= 0) return undefined;
  return Math.min(poll * 1000, left);
}
