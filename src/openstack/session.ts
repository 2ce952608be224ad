// An authenticated connection to one provider: holds the token (shared by concurrent calls,
// renewed before it expires, re-issued once on a 401), finds each service's endpoint in the
// catalog, and counts requests per service for benches and tests.
import { clockOffsetMs } from "../core/cloud-clock.js";
import { err, ok, type Result } from "../core/result.js";
import { findEndpoint } from "./catalog.js";
import type { CloudConfig } from "./clouds-config.js";
import type { OpenStackError } from "./errors.js";
import { sendRequest, type HttpContext, type HttpRequest, type HttpResponse } from "./http.js";
import { issueToken, type Token } from "./keystone.js";
import type { RetryPolicy } from "./retry.js";
import type { TokenCache } from "./token-cache.js";

export type ServiceType = "identity" | "compute" | "image" | "network";

export const RENEW_BEFORE_MS = 20 * 60_000;

export interface SessionOptions {
  /** The provider name that errors carry (defaults to the cloud name). */
  provider?: string;
  /** Region to pick endpoints in: the provider's region, else the cloud's. */
  region?: string;
  /**
   * Renew a token this long before it expires; default 20 minutes, so a token handed on to the
   * OpenStack provider (which cannot renew it) outlives the round (src/pulumi/live-sources.ts).
   */
  renewBeforeMs?: number;
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Tokens shared with other processes (src/openstack/token-cache.ts); none by default. */
  tokenCache?: TokenCache;
  /** The caller's deadline for every request of this session. */
  signal?: AbortSignal;
  now?: () => number;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/** A request to a service: the path is relative to the catalog endpoint, or an absolute URL. */
export type ServiceRequest = Omit<HttpRequest, "url"> & { path: string };

/** What sessions derived by withSignal() share: one token, one set of counters. */
interface SharedState {
  token?: Token;
  renewAtMs?: number;
  pendingToken?: Promise<Result<Token, OpenStackError>>;
  /** Requests sent, retries included, by service type ("identity" counts token issues). */
  requestCounts: Record<string, number>;
  /** The cloud's clock minus ours (ms), from the latest response with a Date header. */
  clockOffsetMs?: number;
}

export class Session {
  readonly provider: string;

  constructor(
    readonly cloud: CloudConfig,
    private readonly options: SessionOptions = {},
    private readonly shared: SharedState = { requestCounts: {} },
  ) {
    this.provider = options.provider ?? cloud.name;
  }

  get requestCounts(): Readonly<Record<string, number>> {
    return this.shared.requestCounts;
  }

  /** The cloud's clock minus ours (ms), once any response has told it; see core/cloud-clock.ts. */
  get clockOffsetMs(): number | undefined {
    return this.shared.clockOffsetMs;
  }

  /** Now on the cloud's clock (Unix seconds), or on ours while no response has told it. */
  cloudNowSeconds(): number {
    return Math.floor((this.now() + (this.shared.clockOffsetMs ?? 0)) / 1000);
  }

  /** The same session (token, counters) with every request bound to a deadline signal. */
  withSignal(signal: AbortSignal): Session {
    const combined = this.options.signal ? AbortSignal.any([this.options.signal, signal]) : signal;
    return new Session(
      this.cloud,
      { ...this.options, provider: this.provider, signal: combined },
      this.shared,
    );
  }

  private context(service: string): HttpContext {
    return {
      provider: this.provider,
      secrets: () => this.secrets(),
      retry: this.options.retry,
      timeoutMs: this.options.timeoutMs,
      signal: this.options.signal,
      fetchImpl: this.options.fetchImpl,
      sleep: this.options.sleep,
      onAttempt: () => {
        this.shared.requestCounts[service] = (this.shared.requestCounts[service] ?? 0) + 1;
      },
      onResponse: (response) => {
        const offset = clockOffsetMs(response.headers.get("date"), this.now());
        if (offset !== undefined) this.shared.clockOffsetMs = offset;
      },
    };
  }

  private secrets(): (string | undefined)[] {
    const auth = this.cloud.auth;
    return [auth.type === "password" ? auth.password : auth.secret, this.shared.token?.value];
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** renewBeforeMs before expiry, or half-way through what is left of a shorter-lived token. */
  private renewAt(token: Token): number {
    const margin = Math.min(
      this.options.renewBeforeMs ?? RENEW_BEFORE_MS,
      (token.expiresAtMs - this.now()) / 2,
    );
    return token.expiresAtMs - margin;
  }

  /**
   * The current token: this session's while it is not due for renewal, else one another process
   * left in the token cache, else a new one from Keystone (then cached for the others).
   */
  async currentToken(): Promise<Result<Token, OpenStackError>> {
    const shared = this.shared;
    if (shared.token && this.now() < (shared.renewAtMs ?? 0)) return ok(shared.token);
    const cache = this.options.tokenCache;
    const cached = cache?.read(this.cloud.auth);
    if (cached && this.now() < cached.renewAtMs) {
      shared.token = cached.token;
      shared.renewAtMs = cached.renewAtMs;
      return ok(cached.token);
    }
    // Concurrent callers share one token request.
    shared.pendingToken ??= issueToken(this.cloud.auth, this.context("identity")).then((issued) => {
      shared.pendingToken = undefined;
      if (issued.ok) {
        shared.token = issued.value;
        shared.renewAtMs = this.renewAt(issued.value);
        cache?.write(this.cloud.auth, { token: issued.value, renewAtMs: shared.renewAtMs });
      }
      return issued;
    });
    return shared.pendingToken;
  }

  async endpoint(type: ServiceType): Promise<Result<string, OpenStackError>> {
    const token = await this.currentToken();
    return token.ok ? this.endpointIn(token.value, type) : token;
  }

  private endpointIn(token: Token, type: ServiceType): Result<string, OpenStackError> {
    const region = this.options.region ?? this.cloud.regionName;
    const found = findEndpoint(token.catalog, { type, interface: this.cloud.interface, region });
    if (!found.ok) return err({ kind: "endpoint", provider: this.provider, message: found.error });
    return ok(unversioned(type, found.value));
  }

  async request(
    service: ServiceType,
    request: ServiceRequest,
  ): Promise<Result<HttpResponse, OpenStackError>> {
    const send = async (token: Token): Promise<Result<HttpResponse, OpenStackError>> => {
      const base = this.endpointIn(token, service);
      if (!base.ok) return base;
      const url = /^https?:\/\//.test(request.path) ? request.path : joinUrl(base.value, request.path);
      const headers = { ...request.headers, "X-Auth-Token": token.value };
      return sendRequest({ ...request, url, headers }, this.context(service));
    };
    const first = await this.currentToken();
    if (!first.ok) return first;
    const answer = await send(first.value);
    // A 401 means the token was revoked or expired early: nothing was done, so one retry with
    // a fresh token is safe even for a create.
    if (answer.ok || answer.error.status !== 401) return answer;
    if (this.shared.token === first.value) this.shared.token = undefined;
    this.options.tokenCache?.forget(this.cloud.auth, first.value.value);
    const renewed = await this.currentToken();
    return renewed.ok ? send(renewed.value) : renewed;
  }
}

/** Glance and Neutron paths carry their version (/v2/…, /v2.0/…); some catalogs list it too. */
function unversioned(type: ServiceType, url: string): string {
  if (type === "image") return url.replace(/\/v2(\.\d+)?$/, "");
  if (type === "network") return url.replace(/\/v2\.0$/, "");
  return url;
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}
