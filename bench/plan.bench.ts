// How long plan() takes on a large estate: 100 providers × 20 images × 50 labels with 20,000
// nodes and 2,000 image builds (target: under 100 ms), then at 2× and 4× the size, to show
// it grows linearly. Prints figures only; time is not asserted.
//   npm run bench   (or: node --import tsx bench/plan.bench.ts)
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { definitionHash, type LoadedConfig } from "../src/config/definition.js";
import { parseConfig } from "../src/config/parse.js";
import { ok } from "../src/core/result.js";
import type { ImageBuild, Inventory, NodeState, PoolNode } from "../src/plan/inventory.js";
import { plan } from "../src/plan/plan.js";
import { TEST_OWNER } from "../test/support/plan-inventory.js";

const IMAGES = 20;
const LABELS = 50;
const NOW = 1_700_000_000;
const HOUR = 3600;
const RUNS = 9;

// Collect the garbage of building the inputs before each timed run, so a run pays only for
// its own allocations (npm run bench passes no --expose-gc, hence the flag set here).
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

function estateConfig(providers: number): LoadedConfig {
  const names = Array.from({ length: providers }, (_, p) => `cloud-${p}`);
  const lines = ["providers:"];
  for (const name of names)
    lines.push(`  - { name: ${name}, max-servers: 400, flavor: m1, networks: [net] }`);
  lines.push("images:");
  for (let i = 0; i < IMAGES; i++)
    lines.push(
      `  - { name: image-${i}, base-image: base, setup: setup.sh, providers: [${names.join(", ")}] }`,
    );
  lines.push("labels:");
  const minReady = names.map((name) => `${name}: 2`).join(", ");
  for (let l = 0; l < LABELS; l++)
    lines.push(
      `  - { name: label-${l}, image: image-${l % IMAGES}, min-ready: { ${minReady} }, max-ready-age: 24h }`,
    );
  const parsed = parseConfig(lines.join("\n"), { file: "bench.yaml", readScript: () => ok("echo setup\n") });
  if (!parsed.ok) throw new Error(parsed.error.map((e) => e.message).join("\n"));
  return parsed.value;
}

const STATES: NodeState[] = ["ready", "ready", "in-use", "in-use", "in-use", "building", "used", "hold"];

/** One ready build per image and provider (a third of them due for a rebuild), and nodes. */
function estateInventory(config: LoadedConfig, nodesPerPool: number): Inventory {
  const inventory: Inventory = { readAt: NOW, providers: {} };
  let serial = 0;
  for (const provider of config.providers) {
    const images: ImageBuild[] = config.images.map((image, i) => {
      const version = NOW - (i % 3 === 0 ? 30 : 5) * HOUR;
      return {
        provider: provider.name,
        image: image.name,
        version,
        state: "ready",
        createdAt: version + HOUR,
        cloudImageId: `glance-${serial++}`,
        hostname: `${image.name}-${version}`,
        definitionHash: definitionHash(image, provider, config.setupDigests[image.setup]!),
      };
    });
    const nodes: PoolNode[] = [];
    for (const label of config.labels) {
      const build = images.find((b) => b.image === label.image)!;
      for (let n = 1; n <= nodesPerPool; n++)
        nodes.push({
          provider: provider.name,
          label: label.name,
          name: `${label.name}-${provider.name}-${n}`,
          imageVersion: n % 5 === 0 ? build.version - 24 * HOUR : build.version,
          cloudImageId: build.cloudImageId,
          state: STATES[(serial + n) % STATES.length]!,
          createdAt: NOW - ((serial + n) % 30) * HOUR,
          serverId: `server-${serial++}`,
        });
    }
    inventory.providers[provider.name] = {
      provider: provider.name,
      readable: true,
      images,
      templates: [],
      nodes,
      requests: [],
    };
  }
  return inventory;
}

function measure(label: string, providers: number, nodesPerPool: number): void {
  const config = estateConfig(providers);
  const inventory = estateInventory(config, nodesPerPool);
  const nodes = Object.values(inventory.providers).reduce(
    (sum, p) => sum + (p.readable ? p.nodes.length : 0),
    0,
  );
  const builds = Object.values(inventory.providers).reduce(
    (sum, p) => sum + (p.readable ? p.images.length : 0),
    0,
  );
  for (let warmUp = 0; warmUp < 3; warmUp++) plan(config, inventory, TEST_OWNER, NOW); // let the JIT settle
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let actions = 0;
  for (let run = 0; run < RUNS; run++) {
    collectGarbage();
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const result = plan(config, inventory, TEST_OWNER, NOW);
    const cpu = process.cpuUsage(cpuStart);
    times.push(performance.now() - start);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    actions = result.providers.reduce((sum, p) => sum + p.actions.length, 0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  cpuTimes.sort((a, b) => a - b);
  const cpuMedian = cpuTimes[Math.floor(cpuTimes.length / 2)]!;
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const kept = plan(config, inventory, TEST_OWNER, NOW);
  collectGarbage();
  const planHeap = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  const heap = process.memoryUsage().heapUsed / 2 ** 20;
  if (kept.now !== NOW) throw new Error("unreachable: keeps the plan alive while measuring");
  console.log(
    `${label.padEnd(22)} ${String(providers).padStart(4)} providers ${String(nodes).padStart(6)} nodes ` +
      `${String(builds).padStart(5)} builds → ${String(actions).padStart(6)} actions: ` +
      `median ${median.toFixed(1).padStart(6)} ms (min ${times[0]!.toFixed(1)}, max ${times.at(-1)!.toFixed(1)}; ` +
      `CPU ${cpuMedian.toFixed(1)} ms), ` +
      `heap used ${heap.toFixed(0)} MB (the plan itself ${planHeap.toFixed(1)} MB)`,
  );
}

console.log(
  `plan(): median of ${RUNS} runs after 3 warm-ups; ${IMAGES} images × ${LABELS} labels in every provider`,
);
measure("1× (target < 100 ms)", 100, 4);
measure("2× providers", 200, 4);
measure("4× providers", 400, 4);
measure("2× nodes per pool", 100, 8);
measure("4× nodes per pool", 100, 16);
