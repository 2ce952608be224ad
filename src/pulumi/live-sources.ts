// The real world for the program: images.yaml from disk, clouds from clouds.yaml, the clock.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { loadConfig } from "../config/load.js";
import { openProvider } from "../openstack/clients.js";
import { processCloudSources, resolveCloud } from "../openstack/clouds-config.js";
import { readInventory } from "../openstack/inventory.js";
import type { ProgramSources } from "./program.js";

export function liveSources(options: {
  imagesFile: string;
  stack: string;
  snapshotPollSeconds?: number;
}): ProgramSources {
  const baseDir = dirname(resolve(options.imagesFile));
  return {
    stack: options.stack,
    loadConfig: () => loadConfig(options.imagesFile),
    cloudFor: (config, name) => {
      const provider = config.providers.find((p) => p.name === name)!;
      return resolveCloud(provider.cloud, processCloudSources());
    },
    readInventory: (config) => {
      const now = Math.floor(Date.now() / 1000);
      const clients = Object.fromEntries(config.providers.map((p) => [p.name, openProvider(p)]));
      return readInventory(config, clients, now);
    },
    readSetupScript: (path) => readFileSync(resolve(baseDir, path), "utf8"),
    now: () => Math.floor(Date.now() / 1000),
    snapshotPollSeconds: options.snapshotPollSeconds,
  };
}
