// Integration support for node claims: ready pool nodes booted straight into a project of the
// local cloud (as the Pulumi program would leave them), and the CLI run as a separate process.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { META } from "../../src/core/metadata.js";
import type { ProviderClients } from "../../src/openstack/clients.js";
import type { NeutronPort } from "../../src/openstack/neutron.js";
import { must, RUN, waitForServer } from "./openstack-cloud.js";

export interface BootedNode {
  serverId: string;
  name: string;
  port: NeutronPort;
}

/**
 * At most this many server creates in flight, across every caller. Nova's API has two
 * workers here and a create takes several seconds (it asks Keystone, Glance and Neutron): 26
 * creates at once queued the last ones past the client's 30 s no-answer limit, failing CI.
 */
const BOOTS_IN_FLIGHT = 4;
let booting = 0;
const waiting: (() => void)[] = [];

async function bootSlot<T>(create: () => Promise<T>): Promise<T> {
  while (booting >= BOOTS_IN_FLIGHT) await new Promise<void>((resolve) => waiting.push(resolve));
  booting++;
  try {
    return await create();
  } finally {
    booting--;
    waiting.shift()?.();
  }
}

/** Boots `count` ready nodes of the label on the `private` network; waits until each has a port. */
export async function bootReadyNodes(
  clients: ProviderClients,
  request: { provider: string; label: string; count: number; version: number; prefix: string },
): Promise<BootedNode[]> {
  const flavor = must(await clients.nova.findFlavorByName("m1.nodepool"));
  const base = must(await clients.glance.findImagesByName("ubuntu-precise"))[0];
  const network = must(await clients.neutron.findNetworkByName("private"));
  if (!flavor || !base || !network)
    throw new Error("the local cloud lacks m1.nodepool, ubuntu-precise or private");
  const names = Array.from(
    { length: request.count },
    (_, i) => `${RUN}-${request.prefix}-${String(i).padStart(2, "0")}`,
  );
  const ids = await Promise.all(
    names.map(async (name) =>
      must(
        await bootSlot(() =>
          clients.nova.createServer({
            name,
            imageRef: base.id,
            flavorRef: flavor.id,
            networks: [network.id],
            metadata: {
              [META.kind]: "node",
              [META.provider]: request.provider,
              [META.label]: request.label,
              [META.state]: "ready",
              [META.version]: String(request.version),
            },
          }),
        ),
      ),
    ),
  );
  const statuses = await Promise.all(ids.map((id) => waitForServer(clients, id, 240_000)));
  const broken = statuses.filter((status) => status !== "ACTIVE");
  if (broken.length > 0) throw new Error(`nodes did not boot: ${broken.join("; ")}`);
  return Promise.all(
    ids.map(async (serverId, i) => {
      const ports = must(await clients.neutron.listPorts({ deviceId: serverId }));
      if (ports.length === 0) throw new Error(`${names[i]} has no port`);
      return { serverId, name: names[i]!, port: ports[0]! };
    }),
  );
}

export interface CliRun {
  args: string[];
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `node bin/nodepool.js ARGS` as a separate process, as a CI job runs it. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve("bin/nodepool.js"), ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ args, code, stdout, stderr, ms: Date.now() - started }));
  });
}

/** The races a claimer lost, and how many of those Neutron answered 200: from its JSON (winner) or message (exit 3). */
export function lostRacesOf(run: CliRun): { lost: number; despite200: number } {
  if (run.code === 0) {
    const json = JSON.parse(run.stdout) as { lostRaces: number; lostDespite200: number };
    return { lost: json.lostRaces, despite200: json.lostDespite200 };
  }
  const lost = /lost (\d+) races? to other claimers, (\d+) of them answered 200/.exec(run.stderr);
  return lost ? { lost: Number(lost[1]), despite200: Number(lost[2]) } : { lost: 0, despite200: 0 };
}
