// The floor under scenario (d): how long the cloud itself takes for the writes a claim could
// be made of, one alone and 24 at once, on the local cloud. Whatever a claim does beyond these
// writes only adds to them, so they say which claim designs can beat the original Nodepool's
// 24 requests in about 1.2 s (it writes ZooKeeper, not the cloud).
//
// Measured, side by side in one run, medians of --repeat rounds: the Neutron port update a
// claim locks a node with (If-Match, as src/nodes/claim.ts sends it), the Nova metadata write
// that mirrors the claim, a Nova show, and one detail list. Run:
//   npm run bench:claim-writes [-- --repeat 5]
import { parseArgs } from "node:util";
import { bootReadyNodes } from "../../test/support/node-pool.js";
import { cleanUp, localCloudProblem, must, open, RUN } from "../../test/support/openstack-cloud.js";
import { round, summarize } from "./stats.js";

const PROVIDER = "rax-iad";
const BURST = 24;

const { values } = parseArgs({ options: { repeat: { type: "string", default: "3" } } });
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) {
  console.error(`bench:claim-writes: --repeat must be a whole number ≥ 1, not ${values.repeat}`);
  process.exit(2);
}
const problem = await localCloudProblem();
if (problem) {
  console.error(`bench:claim-writes: ${problem}`);
  process.exit(1);
}

const clients = open(PROVIDER);
console.error(`booting ${BURST} nodes on ${PROVIDER} ...`);
const nodes = await bootReadyNodes(clients, {
  provider: PROVIDER,
  label: `${RUN}-writes`,
  count: BURST,
  version: 1,
  prefix: "writes",
});

/** Seconds until every call has answered. */
async function allAnswered(calls: () => Promise<unknown>[]): Promise<number> {
  const started = performance.now();
  await Promise.all(calls());
  return (performance.now() - started) / 1000;
}

const samples: Record<string, number[]> = {};
const record = (name: string, seconds: number) => (samples[name] ??= []).push(seconds);

try {
  for (let r = 0; r < repeat; r++) {
    // Fresh revisions, so that every If-Match update applies (no 412s: the cost of a win).
    const ports = await Promise.all(
      nodes.map(async (node) => must(await clients.neutron.showPort(node.port.id))!),
    );
    const [first] = ports;
    record(
      "port update, one",
      await allAnswered(() => [
        clients.neutron.updatePortIfRevision(first!.id, { description: `one-${r}` }, first!.revision_number),
      ]),
    );
    const again = await Promise.all(
      ports.map(async (port) => must(await clients.neutron.showPort(port.id))!),
    );
    record(
      `port updates, ${BURST} at once`,
      await allAnswered(() =>
        again.map((port, i) =>
          clients.neutron.updatePortIfRevision(
            port.id,
            { description: `burst-${r}-${i}` },
            port.revision_number,
          ),
        ),
      ),
    );
    record(
      "Nova metadata write, one",
      await allAnswered(() => [
        clients.nova.setServerMetadata(nodes[0]!.serverId, { "bench:write": `${r}` }),
      ]),
    );
    record(
      `Nova metadata writes, ${BURST} at once`,
      await allAnswered(() =>
        nodes.map((node, i) => clients.nova.setServerMetadata(node.serverId, { "bench:write": `${r}-${i}` })),
      ),
    );
    record(
      `Nova shows, ${BURST} at once`,
      await allAnswered(() => nodes.map((node) => clients.nova.showServer(node.serverId))),
    );
    record("Nova detail list", await allAnswered(() => [clients.nova.listServers({})]));
  }
} finally {
  await cleanUp([PROVIDER]);
}

console.log(`cloud writes a claim could be made of (${PROVIDER}, medians of ${repeat}):`);
for (const [name, values] of Object.entries(samples)) {
  const summary = summarize(values)!;
  console.log(
    `  ${name.padEnd(34)} p50 ${summary.p50.toFixed(2)} s (min ${summary.min.toFixed(2)}, max ${summary.max.toFixed(2)})`,
  );
}
const port = summarize(samples[`port updates, ${BURST} at once`]!)!.p50;
const nova = summarize(samples[`Nova metadata writes, ${BURST} at once`]!)!.p50;
console.log(
  `  ${BURST} port locks take ${round(port / nova)}× as long as ${BURST} Nova writes; the original serves ${BURST} requests in about 1.2 s`,
);
