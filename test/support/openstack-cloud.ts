// Integration tests use the local OpenStack (`npm run cloud:up`, .cloud/clouds.yaml). This file
// points the client at it, names what a run creates with a unique prefix, and cleans it up.
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { openProvider, type ProviderClients } from "../../src/openstack/clients.js";
import { formatOpenStackError } from "../../src/openstack/errors.js";
import type { GlanceImage } from "../../src/openstack/glance.js";
import { META } from "../../src/core/metadata.js";

export const LOCAL_CLOUDS_FILE = resolve(".cloud/clouds.yaml");

/** Why integration tests can't run here, or undefined when the local cloud answers. */
export async function localCloudProblem(): Promise<string | undefined> {
  if (!existsSync(LOCAL_CLOUDS_FILE)) return `${LOCAL_CLOUDS_FILE} is missing: run \`npm run cloud:up\``;
  // Patient: on a loaded 2-core machine Keystone can take seconds to answer.
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      await fetch("http://127.0.0.1:5000/v3", { signal: AbortSignal.timeout(15_000) });
      return undefined;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  return "Keystone does not answer on 127.0.0.1:5000: run `npm run cloud:up`";
}

process.env.OS_CLIENT_CONFIG_FILE = LOCAL_CLOUDS_FILE;

/** Unique per run, so parallel runs and leftovers of a killed run never meet. */
export const RUN = `nptest-${randomBytes(3).toString("hex")}`;

export function open(cloud: string, name = cloud): ProviderClients {
  const opened = openProvider({ name, cloud });
  if (!opened.ok) throw new Error(formatOpenStackError(opened.error));
  return opened.value;
}

export function must<T>(
  result: { ok: true; value: T } | { ok: false; error: Parameters<typeof formatOpenStackError>[0] },
): T {
  if (!result.ok) throw new Error(formatOpenStackError(result.error));
  return result.value;
}

/**
 * A clouds.yaml (secrets merged in, mode 0600, in a temp dir) holding the local cloud's entries
 * plus extra ones: a cloud whose Keystone is a closed port, wrong credentials… Returns its path.
 */
export function cloudsFileWith(extra: Record<string, (entries: Record<string, unknown>) => unknown>): string {
  const read = (path: string) =>
    (parseYaml(readFileSync(path, "utf8")) as { clouds: Record<string, unknown> }).clouds;
  const clouds = read(LOCAL_CLOUDS_FILE);
  const securePath = join(resolve(".cloud"), "secure.yaml");
  const secure = existsSync(securePath) ? read(securePath) : {};
  const merged: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(clouds)) {
    const auth = {
      ...(entry as { auth: object }).auth,
      ...((secure[name] as { auth?: object })?.auth ?? {}),
    };
    merged[name] = { ...(entry as object), auth };
  }
  for (const [name, make] of Object.entries(extra)) merged[name] = make(merged);
  const dir = mkdtempSync(join(tmpdir(), `${RUN}-clouds-`));
  const path = join(dir, "clouds.yaml");
  writeFileSync(path, stringifyYaml({ clouds: merged }), { mode: 0o600 });
  return path;
}

/** For cloudsFileWith: the entry `base` with some of its auth settings replaced. */
export function withAuth(base: string, auth: Record<string, string>) {
  return (clouds: Record<string, unknown>) => {
    const entry = clouds[base] as { auth: object };
    return { ...entry, auth: { ...entry.auth, ...auth } };
  };
}

export function removeCloudsFile(path: string): void {
  rmSync(resolve(path, ".."), { recursive: true, force: true });
}

/** An active image carrying nodepool's properties for one build (tiny data, so it's active). */
export async function createBuildImage(
  clients: ProviderClients,
  build: { provider: string; image: string; version: number; createdAt: number; templateServer?: string },
  extra: Record<string, string> = {},
): Promise<GlanceImage> {
  const image = must(
    await clients.glance.createImage({
      name: `${RUN}-${build.image}-${build.version}`,
      properties: {
        [META.kind]: "image",
        [META.provider]: build.provider,
        [META.image]: build.image,
        [META.version]: String(build.version),
        [META.createdAt]: String(build.createdAt),
        ...(build.templateServer ? { [META.templateServer]: build.templateServer } : {}),
        nodepool_test_run: RUN,
        ...extra,
      },
    }),
  );
  must(await clients.glance.uploadImageData(image.id, new TextEncoder().encode(`${RUN} ${build.version}`)));
  return image;
}

/** Deletes every image and server this run made in these clouds (by the RUN prefix). */
export async function cleanUp(clouds: readonly string[]): Promise<void> {
  // With no cloud there is nothing to clean, and the tests already failed saying why.
  if (await localCloudProblem()) return;
  await Promise.all(
    clouds.map(async (cloud) => {
      const clients = open(cloud);
      const images = must(await clients.glance.listImages({ filters: { nodepool_test_run: RUN } }));
      const servers = must(await clients.nova.listServers({ nameRegex: `^${RUN}` }));
      await Promise.all([
        ...images.map((image) => clients.glance.deleteImage(image.id)),
        ...servers.map((server) => clients.nova.deleteServer(server.id)),
      ]);
    }),
  );
}

/** Waits until the server leaves BUILD; returns its status, with Nova's fault when it broke. */
export async function waitForServer(
  clients: ProviderClients,
  id: string,
  timeoutMs = 60_000,
): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const server = must(await clients.nova.showServer(id));
    // The local cloud's one fake compute host is shared by every test run: "No valid host"
    // here usually means other runs hold its capacity.
    if (server && server.status !== "BUILD") {
      return server.fault ? `${server.status}: ${server.fault.message}` : server.status;
    }
    if (Date.now() > until) return server?.status ?? "GONE";
    await new Promise((done) => setTimeout(done, 500));
  }
}

/**
 * A local port that nothing listens on, for a cloud that is down. It is taken from below the
 * kernel's ephemeral range, where no process is handed a port it did not ask for: a released
 * port-0 port can be reused at once by any program's listener (the engine's gRPC servers did).
 */
export async function closedPort(): Promise<number> {
  const [ephemeralLow] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
    .trim()
    .split(/\s+/)
    .map(Number);
  const below = Math.min(ephemeralLow ?? 32768, 32768);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * (below - 20000));
    if (await canBind(port)) return port;
  }
  throw new Error("closedPort: no free port found below the ephemeral range");
}

async function canBind(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise<boolean>((answer) => {
    server.once("error", () => answer(false));
    server.listen(port, "127.0.0.1", () => server.close(() => answer(true)));
  });
}
