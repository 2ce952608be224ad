// A stand-in OpenStack on 127.0.0.1 (node:http) for what the real local cloud can't do on
// demand: injected faults (5xx, 429, resets, hangs), many items with pagination, and a fixed
// latency per request (the bench). It speaks just enough Keystone v3, Glance v2, Nova and
// Neutron for the client: token issue with a catalog, image and server lists with markers,
// server create, and port updates with If-Match. Not a simulator of anything else.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CloudConfig } from "../../src/openstack/clouds-config.js";
import { TOKEN_CACHE_ENV } from "../../src/openstack/token-cache.js";

// A stand-in's tokens die with it, but the user's token cache (~/.cache/nodepool/tokens) kept
// them under the stand-in's address: a later stand-in on the same port (another test file, or
// an earlier run) refused the cached token and the client asked again, one token request and
// one list more than the tests that count requests expect. So each test process that starts
// stand-ins gets a token cache of its own, unless the test chose one.
if (process.env[TOKEN_CACHE_ENV] === undefined) {
  const dir = mkdtempSync(join(tmpdir(), "nodepool-fake-tokens-"));
  process.env[TOKEN_CACHE_ENV] = dir;
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
}

export const FAKE_PASSWORD = "fake-password-Zq81";

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Fault = { status: number; headers?: Record<string, string>; body?: unknown } | "reset" | "hang";

export interface FakeCloudOptions {
  images?: object[];
  servers?: object[];
  ports?: object[];
  /** Added to every answer, as a WAN round trip would be. */
  latencyMs?: number;
  /** The largest page served, as Glance's api_limit_max and Nova's max_limit. */
  maxLimit?: number;
  tokenTtlSeconds?: number;
  /** Called for every request before it is served; a Fault replaces the answer. */
  fault?: (request: FakeRequest, seen: number) => Fault | undefined;
}

export interface FakeCloud {
  url: string;
  requests: FakeRequest[];
  tokensIssued: () => number;
  cloud: (overrides?: Partial<CloudConfig>) => CloudConfig;
  close: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export async function startFakeCloud(options: FakeCloudOptions = {}): Promise<FakeCloud> {
  const requests: FakeRequest[] = [];
  const tokens = new Set<string>();
  // The caller's arrays, shared: a test can look at what a create or update left.
  const images = (options.images ?? []) as Record<string, unknown>[];
  const servers = (options.servers ?? []) as Record<string, unknown>[];
  const ports = (options.ports ?? []) as Record<string, unknown>[];
  const maxLimit = options.maxLimit ?? 1000;
  let base = "";

  const send = (
    res: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(text);
  };

  function page<T extends Record<string, unknown>>(items: T[], query: URLSearchParams) {
    const limit = Math.min(Number(query.get("limit") ?? maxLimit), maxLimit);
    const marker = query.get("marker");
    const start = marker ? items.findIndex((item) => item.id === marker) + 1 : 0;
    const slice = items.slice(start, start + limit);
    // Like Glance and Nova: a full page always links to a next one, which may be empty.
    const more = slice.length === limit;
    return { slice, more, last: slice[slice.length - 1]?.id as string | undefined };
  }

  const withMarker = (query: URLSearchParams, marker: string | undefined) => {
    const next = new URLSearchParams(query);
    next.set("marker", marker ?? "");
    return next.toString();
  };

  async function route(request: FakeRequest, res: ServerResponse) {
    const { method, path, query } = request;
    if (method === "POST" && path === "/v3/auth/tokens") return issueToken(request, res);
    const token = request.headers["x-auth-token"];
    if (typeof token !== "string" || !tokens.has(token)) {
      return send(res, 401, {
        error: { code: 401, message: "The request you have made requires authentication." },
      });
    }
    if (method === "GET" && path === "/image/v2/images") {
      const filters = [...query.entries()].filter(([key]) => key !== "limit" && key !== "marker");
      const matching = images.filter((image) => filters.every(([key, value]) => image[key] === value));
      const { slice, more, last } = page(matching, query);
      return send(res, 200, {
        images: slice,
        ...(more ? { next: `/v2/images?${withMarker(query, last)}` } : {}),
      });
    }
    if (method === "GET" && path === "/compute/v2.1/servers/detail") {
      const { slice, more, last } = page(servers, query);
      const links = more
        ? [{ rel: "next", href: `${base}/compute/v2.1/servers/detail?${withMarker(query, last)}` }]
        : [];
      return send(res, 200, { servers: slice, ...(more ? { servers_links: links } : {}) });
    }
    if (method === "POST" && path === "/compute/v2.1/servers") {
      const id = randomUUID();
      servers.push({ id, ...(JSON.parse(request.body) as { server: object }).server, status: "BUILD" });
      return send(res, 202, { server: { id } });
    }
    if (method === "GET" && path === "/network/v2.0/ports") {
      const { slice, more, last } = page(ports, query);
      const links = more
        ? [{ rel: "next", href: `${base}/network/v2.0/ports?${withMarker(query, last)}` }]
        : [];
      return send(res, 200, { ports: slice, ...(more ? { ports_links: links } : {}) });
    }
    const portMatch = /^\/network\/v2\.0\/ports\/([^/]+)$/.exec(path);
    if (portMatch && method === "PUT") {
      const port = ports.find((candidate) => candidate.id === portMatch[1]);
      if (!port) return send(res, 404, { NeutronError: { message: "Port not found" } });
      const expected = /revision_number=(\d+)/.exec(String(request.headers["if-match"] ?? ""))?.[1];
      if (expected !== undefined && Number(expected) !== port.revision_number) {
        return send(res, 412, {
          NeutronError: { message: "Constraint not satisfied: revision_number mismatch" },
        });
      }
      Object.assign(port, (JSON.parse(request.body) as { port: object }).port);
      port.revision_number = Number(port.revision_number) + 1;
      return send(res, 200, { port });
    }
    return send(res, 404, {
      itemNotFound: { code: 404, message: `fake cloud: no route for ${method} ${path}` },
    });
  }

  function issueToken(request: FakeRequest, res: ServerResponse) {
    const identity = (JSON.parse(request.body) as { auth: { identity: Record<string, unknown> } }).auth
      .identity;
    const password = (identity.password as { user?: { password?: string } })?.user?.password;
    const secret = (identity.application_credential as { secret?: string })?.secret;
    if (password !== FAKE_PASSWORD && secret !== FAKE_PASSWORD) {
      return send(res, 401, {
        error: { code: 401, message: "The request you have made requires authentication." },
      });
    }
    const token = `tok-${randomUUID()}`;
    tokens.add(token);
    const expires = new Date(Date.now() + (options.tokenTtlSeconds ?? 3600) * 1000).toISOString();
    const endpoint = (type: string, path: string) => ({
      type,
      endpoints: [
        { interface: "public", region_id: "RegionOne", region: "RegionOne", url: `${base}${path}` },
      ],
    });
    const catalog = [
      endpoint("identity", "/v3"),
      endpoint("image", "/image"),
      endpoint("compute", "/compute/v2.1"),
      endpoint("network", "/network"),
    ];
    return send(
      res,
      201,
      { token: { expires_at: expires, catalog, project: { id: "p1" } } },
      { "X-Subject-Token": token },
    );
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const request: FakeRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(request);
      const seen = requests.filter((r) => r.method === request.method && r.path === request.path).length;
      void (async () => {
        if (options.latencyMs) await sleep(options.latencyMs);
        const fault = options.fault?.(request, seen);
        if (fault === "reset") return req.socket.destroy();
        if (fault === "hang") return;
        if (fault) return send(res, fault.status, fault.body, fault.headers);
        await route(request, res);
      })();
    });
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    tokensIssued: () => tokens.size,
    cloud: (overrides = {}) => ({
      name: "fake",
      auth: {
        type: "password",
        authUrl: `${base}/v3`,
        username: "nodepool",
        password: FAKE_PASSWORD,
        projectName: "nodepool",
      },
      regionName: "RegionOne",
      interface: "public",
      source: "test",
      ...overrides,
    }),
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}
