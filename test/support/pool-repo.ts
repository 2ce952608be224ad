// A throwaway config repo for the node tests on the local cloud: an images.yaml with one
// provider, one image and the run's own labels, and the setup script it names. Nothing builds
// the image: these tests boot their nodes themselves, or need none.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RUN } from "./openstack-cloud.js";

export interface PoolRepoSettings {
  /** Names the temporary directory: `${RUN}-${name}-…`. */
  name: string;
  provider: string;
  image: string;
  /** label → its min-ready in the provider */
  minReady: Record<string, number>;
}

export interface PoolRepo {
  dir: string;
  /** Its images.yaml. */
  file: string;
}

export function createPoolRepo(settings: PoolRepoSettings): PoolRepo {
  const { provider, image } = settings;
  const dir = mkdtempSync(join(tmpdir(), `${RUN}-${settings.name}-`));
  const file = join(dir, "images.yaml");
  writeFileSync(join(dir, "setup.sh"), "#!/bin/sh\ntrue\n");
  const labels = Object.entries(settings.minReady).map(
    ([label, minReady]) =>
      `  - name: ${label}\n    image: ${image}\n    min-ready: { ${provider}: ${minReady} }\n`,
  );
  writeFileSync(
    file,
    `providers:
  - name: ${provider}
    cloud: ${provider}
    region: RegionOne
    max-servers: 40
    flavor: m1.nodepool
    networks: [private]
images:
  - name: ${image}
    base-image: ubuntu-precise
    setup: setup.sh
    providers: [${provider}]
labels:
${labels.join("")}`,
  );
  return { dir, file };
}
