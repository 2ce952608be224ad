// A small world for the planner: two providers, two images, three labels, and a cloud that
// finishes or breaks builds, boots nodes, and hands them to jobs, while operators pin,
// reject and edit setup scripts. Each round the plan is applied the way Pulumi would: what
// the plan declares exists afterwards, everything else of a read provider is gone.
import type { LoadedConfig } from "../../src/config/definition.js";
import type { ImageBuild, Inventory, PoolNode, TemplateServer } from "../../src/plan/inventory.js";
import type { Plan } from "../../src/plan/types.js";
import { configFromYaml } from "./config-fixtures.js";

export const PROVIDERS = ["east", "west"] as const;
export type ProviderName = (typeof PROVIDERS)[number];
export const IMAGES: Record<string, ProviderName[]> = { alpha: ["east", "west"], beta: ["east"] };

export interface WorldOptions {
  keep: number;
  /** Room above what validation requires (min-ready + one template per image). */
  slack: number;
  /** Chance (0–1) that a build in progress fails this round. */
  buildFailure: number;
  /** Chance (0–1) that a ready node is taken by a job this round. */
  demand: number;
  betaPaused: boolean;
}

/** A deterministic random source (mulberry32), so a fast-check seed replays a whole run. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Cloud {
  images: ImageBuild[];
  templates: TemplateServer[];
  nodes: PoolNode[];
}

export class World {
  now = 1_700_000_000;
  pins: Record<string, Record<string, number>> = {};
  rejected: Record<string, Record<string, number[]>> = {};
  scripts: Record<string, string> = { "setup/alpha.sh": "alpha v1\n", "setup/beta.sh": "beta v1\n" };
  clouds: Record<ProviderName, Cloud> = {
    east: { images: [], templates: [], nodes: [] },
    west: { images: [], templates: [], nodes: [] },
  };
  unreadable = new Set<ProviderName>();
  /** Recent events, printed when an invariant fails. */
  log: string[] = [];
  private serial = 0;

  constructor(
    readonly options: WorldOptions,
    private readonly random: () => number,
  ) {}

  private parsed?: { key: string; config: LoadedConfig };

  /** images.yaml as the operators left it; parsed again only when they changed something. */
  config(): LoadedConfig {
    const key = JSON.stringify([this.pins, this.rejected, this.scripts]);
    if (this.parsed?.key !== key) this.parsed = { key, config: this.parseConfig() };
    return this.parsed.config;
  }

  private parseConfig(): LoadedConfig {
    const east = 2 + 2 + 2 + this.options.slack;
    const west = 3 + 2 + 1 + this.options.slack;
    return configFromYaml(
      `
providers:
  - { name: east, max-servers: ${east}, flavor: m1, networks: [net], template-domain: t.example.org }
  - { name: west, max-servers: ${west}, flavor: m1 }
images:
  - { name: alpha, base-image: base, setup: setup/alpha.sh, keep: ${this.options.keep}, build-timeout: 2h, providers: [east, west] }
  - { name: beta, base-image: base, setup: setup/beta.sh, keep: ${this.options.keep}, build-timeout: 2h, providers: [east], paused: ${this.options.betaPaused} }
labels:
  - { name: small, image: alpha, min-ready: { east: 2, west: 3 }, max-ready-age: 24h }
  - { name: big, image: alpha, min-ready: { west: 2 } }
  - { name: beta, image: beta, min-ready: { east: 2 }, max-ready-age: 12h }
pins: ${JSON.stringify(this.pins)}
rejected: ${JSON.stringify(this.rejected)}
`,
      this.scripts,
    );
  }

  inventory(): Inventory {
    const inventory: Inventory = { readAt: this.now, providers: {} };
    for (const provider of PROVIDERS) {
      const cloud = this.clouds[provider];
      inventory.providers[provider] = this.unreadable.has(provider)
        ? { provider, readable: false, error: `${provider}: 503 Service Unavailable` }
        : { provider, readable: true, requests: [], ...structuredClone(cloud) };
    }
    return inventory;
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.random() * items.length)];
  }

  /** One hour (give or take) of cloud and operator activity. */
  advance(): void {
    this.now += 3000 + Math.floor(this.random() * 1200);
    this.log.push(`--- now ${this.now}`);
    for (const provider of PROVIDERS) this.advanceCloud(provider);
    this.operatorActs();
    this.unreadable.clear();
    for (const provider of PROVIDERS) if (this.chance(0.05)) this.unreadable.add(provider);
  }

  private advanceCloud(provider: ProviderName): void {
    const cloud = this.clouds[provider];
    for (const build of cloud.images) {
      if (build.state !== "building") continue;
      if (this.chance(this.options.buildFailure)) this.setBuild(build, "failed");
      else if (this.chance(0.7)) this.setBuild(build, "ready");
      // else: slow or stuck; the planner abandons it after build-timeout.
    }
    for (const template of cloud.templates) {
      // Setup finishes (the server powers off, or says so and keeps running); the next
      // round's plan snapshots it. Or the server breaks.
      if (template.state === "building" || template.state === "active") {
        const roll = this.random();
        if (roll < 0.05) template.state = "failed";
        else if (roll < 0.45) template.state = "shutoff";
        else if (roll < 0.6) {
          template.state = "active";
          template.setupDone = true;
        } else template.state = "active";
      }
    }
    for (const node of cloud.nodes) {
      const roll = this.random();
      if (node.state === "building") node.state = roll < 0.05 ? "failed" : roll < 0.9 ? "ready" : "building";
      else if (node.state === "ready" && roll < this.options.demand) {
        node.state = "in-use";
        node.claimedBy = `job-${++this.serial}`;
      } else if (node.state === "ready" && roll > 0.99) node.state = "hold";
      else if (node.state === "in-use") node.state = roll < 0.5 ? "used" : roll > 0.98 ? "hold" : "in-use";
      else if (node.state === "hold" && roll < 0.2) node.state = "deleting";
    }
  }

  private setBuild(build: ImageBuild, state: "ready" | "failed"): void {
    build.state = state;
    if (state === "ready") build.cloudImageId = `glance-${build.provider}-${build.image}-${build.version}`;
    this.log.push(`${build.provider} ${build.image} ${build.version} ${state}`);
  }

  private operatorActs(): void {
    const image = this.pick(Object.keys(IMAGES))!;
    const provider = this.pick(IMAGES[image]!)!;
    const ready = this.clouds[provider].images
      .filter((b) => b.image === image && b.state === "ready")
      .map((b) => b.version);
    const rejected = (this.rejected[image] ??= {});
    const usable = ready.filter((v) => !rejected[provider]?.includes(v)).sort((a, b) => b - a);
    const pinned = this.pins[image]?.[provider];
    const roll = this.random();
    if (roll < 0.03 && usable[0] !== undefined && usable[0] !== pinned) {
      (rejected[provider] ??= []).push(usable[0]);
      this.log.push(`operator rejects ${image} ${provider} ${usable[0]}`);
    } else if (roll < 0.05 && usable.length > 1) {
      const version = this.pick(usable.slice(1))!;
      (this.pins[image] ??= {})[provider] = version;
      this.log.push(`operator pins ${image} ${provider} ${version}`);
    } else if (roll < 0.06) {
      (this.pins[image] ??= {})[provider] = 1_600_000_000;
      this.log.push(`operator pins ${image} ${provider} to a version that never existed`);
    } else if (roll < 0.12 && pinned !== undefined) {
      delete this.pins[image]![provider];
      this.log.push(`operator unpins ${image} ${provider}`);
    } else if (roll < 0.13) {
      this.scripts[`setup/${image}.sh`] = `${image} v${++this.serial}\n`;
      this.log.push(`operator edits setup/${image}.sh`);
    }
  }

  private pendingHashes = new Map<string, string>();

  /** Make the cloud look like the plan declares, for every provider that was read. */
  apply(plan: Plan): void {
    for (const planned of plan.providers) {
      const provider = planned.provider as ProviderName;
      const desired = planned.desired;
      const cloud: Cloud = {
        images: structuredClone(desired.builds),
        templates: structuredClone(desired.templates),
        nodes: structuredClone(desired.nodes),
      };
      for (const template of desired.snapshots)
        cloud.images.push({
          provider,
          image: template.image,
          version: template.version,
          state: "building",
          createdAt: this.now,
          hostname: template.hostname,
          templateServerId: template.serverId,
          definitionHash: this.pendingHashes.get(`${provider}/${template.image}/${template.version}`),
          ...(template.owner !== null ? { stack: template.owner } : {}),
        });
      for (const build of desired.newBuilds) {
        this.pendingHashes.set(`${provider}/${build.image}/${build.version}`, build.definitionHash);
        cloud.templates.push({
          provider,
          image: build.image,
          version: build.version,
          serverId: `srv-${++this.serial}`,
          hostname: build.hostname,
          state: "building",
          createdAt: this.now,
          // As the program tags what it boots: the owner the plan gave it.
          ...(build.owner !== null ? { stack: build.owner } : {}),
        });
      }
      for (const node of desired.newNodes)
        cloud.nodes.push({
          provider,
          label: node.label,
          name: node.name,
          imageVersion: node.imageVersion,
          cloudImageId: node.cloudImageId,
          state: "building",
          createdAt: this.now,
          serverId: `srv-${++this.serial}`,
          ...(node.owner !== null ? { stack: node.owner } : {}),
        });
      for (const action of planned.actions)
        this.log.push(`${provider} ${action.kind} ${action.target}: ${action.reason}`);
      this.clouds[provider] = cloud;
    }
    if (this.log.length > 400) this.log.splice(0, this.log.length - 400);
  }
}
