// When a failed request is tried again, and after how long. Pure, so every rule is unit-tested.
//
// Idempotent requests (GET, PUT, DELETE, and POSTs the caller marks as such, like a metadata
// merge or a token issue) are retried on 5xx, 429, timeouts and connection failures.
// Non-idempotent ones (creating a server or an image, createImage) are retried only when the
// service certainly did nothing: the connection was refused before anything was sent, or it
// answered 429 Too Many Requests. A 5xx, a reset or a timeout on a create is reported, never
// retried: the server may exist already, and a blind retry would make a second one.

export type AttemptOutcome =
  | { type: "status"; status: number; retryAfter?: string | null }
  | { type: "refused" }
  | { type: "reset" }
  | { type: "timeout" };

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 8000 };

// An array, not a Set: the snapshot provider's closure is serialized by Pulumi, which
// captures a Set as a plain object.
const RETRYABLE_STATUS: readonly number[] = [429, 500, 502, 503, 504];

export function isRetryable(outcome: AttemptOutcome, idempotent: boolean): boolean {
  switch (outcome.type) {
    case "refused":
      return true;
    case "reset":
    case "timeout":
      return idempotent;
    case "status":
      if (outcome.status === 429) return true;
      return idempotent && RETRYABLE_STATUS.includes(outcome.status);
  }
}

/**
 * Delay before attempt number `attempt + 1` (attempt counts from 1): Retry-After when the
 * service gives one (seconds or an HTTP date, capped at maxDelayMs), else "full jitter"
 * exponential backoff: random in [0, min(max, base·2^(attempt-1))], so clients that failed
 * together do not come back together.
 */
export function retryDelayMs(
  attempt: number,
  outcome: AttemptOutcome,
  policy: RetryPolicy,
  random: () => number = Math.random,
  nowMs: number = Date.now(),
): number {
  const fromHeader = outcome.type === "status" ? parseRetryAfter(outcome.retryAfter, nowMs) : undefined;
  if (fromHeader !== undefined) return Math.min(fromHeader, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Tells a refused connection (nothing sent) from a reset (maybe processed) in fetch's errors. */
export function classifyNetworkError(error: unknown): "refused" | "reset" | "timeout" | "abort" {
  const name = (error as { name?: string })?.name;
  if (name === "TimeoutError") return "timeout";
  if (name === "AbortError") return "abort";
  const cause = (error as { cause?: { code?: string; name?: string } })?.cause;
  const code = cause?.code ?? (error as { code?: string })?.code;
  if (cause?.name === "TimeoutError" || code === "UND_ERR_CONNECT_TIMEOUT") return "timeout";
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EHOSTUNREACH") {
    return "refused";
  }
  return "reset";
}
