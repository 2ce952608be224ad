// The reconciler's HTTP endpoint. GET /healthz for a service manager (and, later, the operator's
// status page and metrics): 200 while the reconciler is healthy (policy.ts), 503 when no round
// or look succeeded for a while. POST /look: a claim or release just changed the pool, look now
// instead of at the end of the interval (Reconciler.poke; at most one look per 0.5 s however
// many arrive). Listens on 127.0.0.1 unless told otherwise: it says which commit is applied and
// why rounds fail.
import { createServer, type Server } from "node:http";
import type { ReconcilerStatus } from "./reconciler.js";

export interface Listening {
  server: Server;
  /** "127.0.0.1:9180", with the port the system gave when 0 was asked. */
  address: string;
  close(): Promise<void>;
}

export function parseListen(text: string): { host: string; port: number } | undefined {
  const match = /^(.*):(\d{1,5})$/.exec(text);
  if (!match || Number(match[2]) > 65535) return undefined;
  const host = match[1]!.replace(/^\[(.*)\]$/, "$1");
  return host === "" ? undefined : { host, port: Number(match[2]) };
}

export function serveHealth(
  listen: { host: string; port: number },
  status: () => ReconcilerStatus,
  look: () => void = () => {},
): Promise<Listening> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path === "/look") {
      if (request.method !== "POST") {
        response.writeHead(405, { allow: "POST" }).end();
        return;
      }
      // The body, if any, is not read: a poke carries no data, so nothing it says can matter.
      request.resume();
      look();
      response.writeHead(202, { "content-type": "application/json" }).end('{"looking":true}\n');
      return;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path !== "/healthz") {
      response
        .writeHead(404, { "content-type": "text/plain" })
        .end("not found: try GET /healthz or POST /look\n");
      return;
    }
    const current = status();
    response
      .writeHead(current.healthy ? 200 : 503, { "content-type": "application/json" })
      .end(`${JSON.stringify(current)}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      const bound = server.address();
      const port = typeof bound === "object" && bound ? bound.port : listen.port;
      const host = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
      resolve({
        server,
        address: `${host}:${port}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
