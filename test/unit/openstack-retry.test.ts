import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  classifyNetworkError,
  isRetryable,
  parseRetryAfter,
  retryDelayMs,
} from "../../src/openstack/retry.js";

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

describe("retry decisions", () => {
  it("retries idempotent requests on 5xx, 429, resets and timeouts, never on other 4xx", () => {
    for (const status of [500, 502, 503, 504, 429])
      assert.equal(isRetryable({ type: "status", status }, true), true);
    for (const status of [400, 401, 403, 404, 409, 412]) {
      assert.equal(isRetryable({ type: "status", status }, true), false, String(status));
    }
    assert.equal(isRetryable({ type: "reset" }, true), true);
    assert.equal(isRetryable({ type: "timeout" }, true), true);
  });

  it("retries a create only when the service surely did nothing: refused or 429", () => {
    for (const status of [500, 502, 503, 504])
      assert.equal(isRetryable({ type: "status", status }, false), false);
    assert.equal(isRetryable({ type: "reset" }, false), false);
    assert.equal(isRetryable({ type: "timeout" }, false), false);
    assert.equal(isRetryable({ type: "refused" }, false), true);
    assert.equal(isRetryable({ type: "status", status: 429 }, false), true);
  });

  it("backs off exponentially with full jitter, capped", () => {
    const outcome = { type: "status" as const, status: 503 };
    assert.equal(
      retryDelayMs(1, outcome, policy, () => 0.999),
      99,
    );
    assert.equal(
      retryDelayMs(3, outcome, policy, () => 0.999),
      399,
    );
    assert.equal(
      retryDelayMs(10, outcome, policy, () => 0.999),
      999,
    );
    assert.equal(
      retryDelayMs(3, outcome, policy, () => 0),
      0,
    );
  });

  it("follows Retry-After in seconds or as a date, within the cap", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(
      retryDelayMs(1, { type: "status", status: 429, retryAfter: "0.5" }, policy, () => 0, now),
      500,
    );
    assert.equal(
      retryDelayMs(1, { type: "status", status: 429, retryAfter: "30" }, policy, () => 0, now),
      1000,
    );
    assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:02 GMT", now), 2000);
    assert.equal(parseRetryAfter("soon", now), undefined);
  });

  it("tells a refused connection from a reset in fetch's errors", () => {
    const fetchError = (code: string) => Object.assign(new TypeError("fetch failed"), { cause: { code } });
    assert.equal(classifyNetworkError(fetchError("ECONNREFUSED")), "refused");
    assert.equal(classifyNetworkError(fetchError("ECONNRESET")), "reset");
    assert.equal(classifyNetworkError(fetchError("UND_ERR_SOCKET")), "reset");
    assert.equal(classifyNetworkError(new DOMException("t", "TimeoutError")), "timeout");
  });
});
