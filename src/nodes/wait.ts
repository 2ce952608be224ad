// `node claim --wait`: when to look again for a ready node.

/** Seconds between looks while waiting, on average. */
export const POLL_SECONDS = 5;

/** Seconds between looks once the claim's request is recorded: a node is booting for it. */
export const REQUEST_POLL_SECONDS = 2;

/**
 * How far a delay strays from POLL_SECONDS, as a fraction of it: jobs that started waiting
 * together (a gate's worth of them, on an empty pool) drift apart instead of listing the
 * cloud in step every POLL_SECONDS.
 */
export const POLL_JITTER = 0.5;

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

/**
 * nextPollDelayMs with the poll drawn uniformly from (1 ± POLL_JITTER) × `poll`; `random`
 * returns [0, 1) like Math.random, which the CLI passes (tests pass their own).
 */
export function jitteredPollDelayMs(
  nowMs: number,
  deadlineMs: number,
  random: () => number,
  poll = POLL_SECONDS,
): number | undefined {
  return nextPollDelayMs(nowMs, deadlineMs, poll * (1 - POLL_JITTER + 2 * POLL_JITTER * random()));
}
