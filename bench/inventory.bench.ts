// One inventory read of 3 providers holding 500 images and 500 servers each. The figures to
// look at: requests per provider per service stay constant (1 token + list pages), never one
// per item; providers are read in parallel, so the wall time is the slowest provider's, not
// the sum (one provider is made 3x slower to show it).
//
// The clouds here are LOCAL FAKES (test/support/openstack-fake.ts: node:http on 127.0.0.1
// answering Keystone/Glance/Nova list calls with a fixed latency per request and pages of at
// most 100 items), because 1,500 real servers are too slow to make on the local cloud's fake
// driver. Run: npm run bench (or node --import tsx bench/inventory.bench.ts).
import { META } from "../src/core/metadata.js";
import { clientsForSession, type ProviderClients } from "../src/openstack/clients.js";
import { readInventory } from "../src/openstack/inventory.js";
import { Session } from "../src/openstack/session.js";
import { localCloudProblem, must, open } from "../test/support/openstack-cloud.js";
import { startFakeCloud, type FakeCloud } from "../test/support/openstack-fake.js";

const ITEMS = 500;
const PAGE_LIMIT = 100;
const PROVIDERS = [
  { name: "hpcloud-az2", latencyMs: 20 },
  { name: "rax-iad", latencyMs: 20 },
  { name: "ovh-gra1", latencyMs: 60 },
];

function images(provider: string) {
  return Array.from({ length: ITEMS }, (_, n) => ({
    id: `${provider}-image-${String(n).padStart(4, "0")}`,
    name: `devstack-precise-${1394417686 + n}`,
    status: "active",
    created_at: "2026-11-27T10:00:00Z",
    [META.kind]: "image",
    [META.provider]: provider,
    [META.image]: "devstack-precise",
    [META.version]: String(1394417686 + n),
  }));
}

function servers(provider: string) {
  return Array.from({ length: ITEMS }, (_, n) => ({
    id: `${provider}-server-${String(n).padStart(4, "0")}`,
    name: `devstack-precise-${provider}-${n}`,
    status: "ACTIVE",
    created: "2026-11-27T12:00:00Z",
    metadata:
      n % 50 === 0
        ? {
            [META.kind]: "template",
            [META.provider]: provider,
            [META.image]: "devstack-precise",
            [META.version]: String(1394417686 + n),
          }
        : {
            [META.kind]: "node",
            [META.provider]: provider,
            [META.label]: "devstack-precise",
            [META.version]: "1394417686",
          },
    addresses: { public: [{ addr: `10.0.${Math.floor(n / 250)}.${n % 250}`, version: 4 }] },
    image: { id: `${provider}-image-0000` },
    flavor: { original_name: "m1.nodepool" },
  }));
}

async function readAll(fakes: Map<string, FakeCloud>, names: readonly string[]) {
  const clients: Record<string, { ok: true; value: ProviderClients }> = {};
  for (const name of names) {
    const fake = fakes.get(name)!;
    clients[name] = { ok: true, value: clientsForSession(new Session(fake.cloud(), { provider: name })) };
  }
  const started = performance.now();
  const inventory = await readInventory({ providers: names.map((name) => ({ name })) }, clients, 0);
  const wallMs = performance.now() - started;
  return { inventory, wallMs, clients };
}

const fakes = new Map<string, FakeCloud>();
for (const provider of PROVIDERS) {
  fakes.set(
    provider.name,
    await startFakeCloud({
      images: images(provider.name),
      servers: servers(provider.name),
      latencyMs: provider.latencyMs,
      maxLimit: PAGE_LIMIT,
    }),
  );
}

console.log(
  `inventory read bench — LOCAL FAKE clouds (node:http on 127.0.0.1), ${ITEMS} images + ${ITEMS} servers per provider,` +
    ` pages of at most ${PAGE_LIMIT}, fixed latency per request`,
);
// A first read warms up the JIT and the sockets; it is not counted. Then each figure is the
// median of ROUNDS reads, as other work on the machine makes single runs noisy.
const ROUNDS = 5;
await readAll(
  fakes,
  PROVIDERS.map((p) => p.name),
);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const alone: Record<string, number> = {};
for (const provider of PROVIDERS) {
  const times = [];
  for (let round = 0; round < ROUNDS; round++) times.push((await readAll(fakes, [provider.name])).wallMs);
  alone[provider.name] = median(times);
}
const together = [];
for (let round = 0; round < ROUNDS; round++)
  together.push(
    await readAll(
      fakes,
      PROVIDERS.map((p) => p.name),
    ),
  );
const wallMs = median(together.map((run) => run.wallMs));
const { inventory, clients } = together[0]!;
console.log(`medians of ${ROUNDS} reads`);
console.log(
  "provider      latency  images  templates  nodes  requests (token/glance/nova/neutron)  alone ms",
);
for (const provider of PROVIDERS) {
  const read = inventory.providers[provider.name]!;
  if (!read.readable) throw new Error(read.error);
  const counts = clients[provider.name]!.value.session.requestCounts;
  console.log(
    [
      provider.name.padEnd(12),
      `${provider.latencyMs} ms`.padStart(8),
      String(read.images.length).padStart(7),
      String(read.templates.length).padStart(10),
      String(read.nodes.length).padStart(6),
      `${counts.identity ?? 0} / ${counts.image ?? 0} / ${counts.compute ?? 0} / ${counts.network ?? 0}`.padStart(
        37,
      ),
      alone[provider.name]!.toFixed(0).padStart(9),
    ].join(" "),
  );
}
const sum = Object.values(alone).reduce((a, b) => a + b, 0);
const slowest = Math.max(...Object.values(alone));
console.log(
  `all 3 together: wall ${wallMs.toFixed(0)} ms; slowest alone ${slowest.toFixed(0)} ms; sum if sequential ${sum.toFixed(0)} ms`,
);
await Promise.all([...fakes.values()].map((fake) => fake.close()));

// A smaller run on the REAL local cloud (npm run cloud:up), when it answers: queued images
// carrying nodepool's properties in each of its three projects, read in pages of 10.
await realCloudRun();

async function realCloudRun(): Promise<void> {
  const perProvider = Number(process.env.BENCH_REAL_IMAGES ?? 30);
  const names = ["hpcloud-az2", "rax-iad", "ovh-gra1"];
  const problem = await localCloudProblem();
  if (problem) {
    console.log(`\nreal local cloud run skipped: ${problem}`);
    return;
  }
  const marker = `bench-${Date.now().toString(36)}`;
  const opened = names.map((name) => open(name));
  await Promise.all(
    opened.map(async (clients) => {
      for (let n = 0; n < perProvider; n++) {
        must(
          await clients.glance.createImage({
            name: `${marker}-${n}`,
            properties: {
              [META.kind]: "image",
              [META.provider]: clients.provider,
              [META.image]: marker,
              [META.version]: String(1394417686 + n),
              nodepool_test_run: marker,
            },
          }),
        );
      }
    }),
  );
  try {
    const clients = Object.fromEntries(opened.map((c) => [c.provider, { ok: true as const, value: c }]));
    const before = opened.map((c) => ({ ...c.session.requestCounts }));
    const started = performance.now();
    const inventory = await readInventory({ providers: names.map((name) => ({ name })) }, clients, 0, {
      pageSize: 10,
    });
    const wallMs = performance.now() - started;
    console.log(
      `\nREAL local OpenStack (127.0.0.1), ${perProvider} images per provider made for this run, pages of 10:`,
    );
    console.log("provider      our images  nodes+templ.  requests (token/glance/nova/neutron)");
    opened.forEach((c, index) => {
      const read = inventory.providers[c.provider]!;
      const ours = read.readable ? read.images.filter((b) => b.image === marker).length : read.error;
      const delta = (type: string) => (c.session.requestCounts[type] ?? 0) - (before[index]![type] ?? 0);
      const servers = read.readable ? read.templates.length + read.nodes.length : 0;
      console.log(
        `${c.provider.padEnd(12)} ${String(ours).padStart(11)} ${String(servers).padStart(13)} ${`${delta("identity")} / ${delta("image")} / ${delta("compute")} / ${delta("network")}`.padStart(37)}`,
      );
    });
    console.log(`wall ${wallMs.toFixed(0)} ms (the token requests were made while creating the images)`);
  } finally {
    await Promise.all(
      opened.map(async (c) => {
        const mine = must(await c.glance.listImages({ filters: { nodepool_test_run: marker } }));
        await Promise.all(mine.map((image) => c.glance.deleteImage(image.id)));
      }),
    );
  }
}
