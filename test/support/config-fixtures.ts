// Configs for tests, made the way users make them: images.yaml text through parseConfig, so
// every test runs on the real schema, defaults and cross-checks.
import type { LoadedConfig } from "../../src/config/definition.js";
import { parseConfig } from "../../src/config/parse.js";

/** Setup scripts every test config can name; content changes change the definition hash. */
export const SCRIPTS: Record<string, string> = {
  "setup/prepare_devstack.sh": "#!/bin/sh\necho prepare devstack\n",
  "setup/other.sh": "#!/bin/sh\necho other\n",
};

export function configFromYaml(text: string, scripts: Record<string, string> = SCRIPTS): LoadedConfig {
  const parsed = parseConfig(text, { file: "images.yaml", readScript: (path) => scripts[path] });
  if (!parsed.ok) {
    const problems = parsed.error.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`).join("\n");
    throw new Error(`test config is invalid:\n${problems}\n---\n${text}`);
  }
  return parsed.value;
}

/** The seed's setup: devstack-precise built daily in hpcloud-az2, a pool of ready nodes. */
export function seedYaml(options: { minReady?: number; maxServers?: number; extra?: string } = {}): string {
  return `
providers:
  - name: hpcloud-az2
    max-servers: ${options.maxServers ?? 8}
    flavor: m1.nodepool
    networks: [nodepool-net]
    template-domain: template.openstack.org
images:
  - name: devstack-precise
    base-image: ubuntu-precise
    setup: setup/prepare_devstack.sh
    rebuild-age: 24h
    build-timeout: 1h
    keep: 2
    providers: [hpcloud-az2]
labels:
  - name: devstack-precise
    image: devstack-precise
    min-ready:
      hpcloud-az2: ${options.minReady ?? 3}
    max-ready-age: 24h
${options.extra ?? ""}`;
}
