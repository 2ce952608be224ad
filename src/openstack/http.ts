// One HTTP exchange with an OpenStack service, over Node's global fetch: a timeout per attempt,
// the caller's deadline, retries as retry.ts decides, and every failure turned into an
// OpenStackError value. Nothing here knows about tokens or services.
import { err, ok, type Result } from "../core/result.js";
import { redact, serviceMessage, statusText, type OpenStackError } from "./errors.js";
import {
  classifyNetworkError,
  DEFAULT_RETRY,
  isRetryable,
  retryDelayMs,
  type AttemptOutcome,
  type RetryPolicy,
} from "./retry.js";

export interface HttpRequest {
  method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  headers?: Record<string, string>;
  /** A JSON value (sent as application/json unless a content-type is given) or raw bytes. */
  json?: unknown;
  body?: Uint8Array;
  /** Safe to send twice? Defaults to true for GET, HEAD, PUT and DELETE, false for POST and PATCH. */
  idempotent?: boolean;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface HttpContext {
  provider: string;
  /** Strings that must never appear in an error (passwords, secrets, tokens). */
  secrets: () => readonly (string | undefined)[];
  retry?: RetryPolicy;
  /** Per attempt; default 30 s. */
  timeoutMs?: number;
  /** The caller's deadline: when it fires, the request fails at once and is not retried. */
  signal?: AbortSignal;
  /** Called before each attempt (request counting in benches and tests). */
  onAttempt?: (request: HttpRequest) => void;
  /** Called with every answer, errors included (the session reads the cloud's clock from it). */
  onResponse?: (response: HttpResponse) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  fetchImpl?: typeof fetch;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** Waits, but not past the caller's deadline: a backoff must not outlive it. */
function sleepUntilAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((done) => {
    const timer = setTimeout(finish, ms);
    signal?.addEventListener("abort", finish, { once: true });
    function finish() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", finish);
      done();
    }
  });
}

export function isIdempotent(request: HttpRequest): boolean {
  return request.idempotent ?? !(request.method === "POST" || request.method === "PATCH");
}

export async function sendRequest(
  request: HttpRequest,
  context: HttpContext,
): Promise<Result<HttpResponse, OpenStackError>> {
  const policy = context.retry ?? DEFAULT_RETRY;
  const idempotent = isIdempotent(request);
  const sleep = context.sleep ?? ((ms: number) => sleepUntilAborted(ms, context.signal));
  const fail = (error: Omit<OpenStackError, "provider" | "method" | "url">) =>
    err(scrub({ provider: context.provider, method: request.method, url: request.url, ...error }, context));
  for (let attempt = 1; ; attempt++) {
    if (context.signal?.aborted) {
      return fail({ kind: "timeout", message: "the provider's deadline passed", attempts: attempt - 1 });
    }
    context.onAttempt?.(request);
    const attemptResult = await attemptOnce(request, context);
    let outcome: AttemptOutcome;
    if (attemptResult.type === "response") {
      const response = attemptResult.response;
      context.onResponse?.(response);
      if (response.status < 400) return ok(response);
      outcome = { type: "status", status: response.status, retryAfter: response.headers.get("retry-after") };
      if (!isRetryable(outcome, idempotent) || attempt >= policy.maxAttempts || context.signal?.aborted) {
        return fail({
          kind: response.status === 412 ? "conflict" : response.status === 401 ? "auth" : "http",
          status: response.status,
          message: serviceMessage(response.text, statusText(response.status)),
          attempts: attempt,
        });
      }
    } else {
      if (attemptResult.type === "abort" || context.signal?.aborted) {
        return fail({ kind: "timeout", message: "the provider's deadline passed", attempts: attempt });
      }
      outcome = { type: attemptResult.type };
      if (!isRetryable(outcome, idempotent) || attempt >= policy.maxAttempts) {
        const what =
          attemptResult.type === "timeout"
            ? `no answer within ${request.timeoutMs ?? context.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`
            : attemptResult.type === "refused"
              ? `cannot connect (${attemptResult.detail})`
              : `connection failed (${attemptResult.detail})`;
        const notRetried = idempotent ? "" : "; not retried: the request may have been processed";
        return fail({
          kind: attemptResult.type === "timeout" ? "timeout" : "network",
          message: what + (attemptResult.type === "refused" ? "" : notRetried),
          attempts: attempt,
        });
      }
    }
    await sleep(retryDelayMs(attempt, outcome, policy, context.random));
  }
}

type AttemptResult =
  | { type: "response"; response: HttpResponse }
  | { type: "refused" | "reset" | "timeout" | "abort"; detail: string };

async function attemptOnce(request: HttpRequest, context: HttpContext): Promise<AttemptResult> {
  const timeout = AbortSignal.timeout(request.timeoutMs ?? context.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = context.signal ? AbortSignal.any([timeout, context.signal]) : timeout;
  const headers: Record<string, string> = { Accept: "application/json", ...request.headers };
  let body: string | Uint8Array | undefined = request.body;
  if (request.json !== undefined) {
    body = JSON.stringify(request.json);
    headers["Content-Type"] ??= "application/json";
  }
  try {
    const response = await (context.fetchImpl ?? fetch)(request.url, {
      method: request.method,
      headers,
      body: body as BodyInit | undefined,
      signal,
    });
    const text = await response.text();
    return { type: "response", response: { status: response.status, headers: response.headers, text } };
  } catch (error) {
    const kind = context.signal?.aborted ? "abort" : classifyNetworkError(error);
    return { type: kind, detail: networkDetail(error) };
  }
}

function networkDetail(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}

function scrub(error: OpenStackError, context: HttpContext): OpenStackError {
  const secrets = context.secrets();
  return { ...error, message: redact(error.message, secrets), url: error.url && redact(error.url, secrets) };
}

/** Parses a JSON answer, as a value: a service that answers HTML with 200 is an error too. */
export function parseJson<T>(
  response: HttpResponse,
  where: Omit<OpenStackError, "kind" | "message">,
): Result<T, OpenStackError> {
  try {
    return ok(JSON.parse(response.text) as T);
  } catch {
    return err<OpenStackError>({ ...where, kind: "http", message: "the answer is not JSON" });
  }
}
