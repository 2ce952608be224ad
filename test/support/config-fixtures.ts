// Configs for tests, made the way users make them: images.yaml text through parseConfig, so
// every test runs on the real schema, defaults and cross-checks.
import type { LoadedConfig } from "../../src/config/definition.js";
import { parseConfig } from "../../src/config/parse.js";
import { NOT_FOUND } from "../../src/config/repo-files.js";
import { err, ok } from "../../src/core/result.js";

/** Setup scripts every test config can name; content changes change the definition hash. */
export const SCRIPTS: Record<string, string> = {
  "setup/prepare_devstack.sh": "#!/bin/sh\necho prepare devstack\n",
  "setup/other.sh": "#!/bin/sh\necho other\n",
};

/** images.yaml text through the real parser: the result, valid or not (for error tests). */
export function parse(text: string, scripts: Record<string, string> = SCRIPTS) {
  return parseConfig(text, {
    file: "images.yaml",
    readScript: (path) => (path in scripts ? ok(scripts[path]!) : err(NOT_FOUND)),
  });
}

/** A config that must be valid: a broken test fixture fails loudly, with its problems. */
export function configFromYaml(text: string, scripts: Record<string, string> = SCRIPTS): LoadedConfig {
  const parsed = parse(text, scripts);
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

/** Two providers and a pool in each: the file the config tests break in one place at a time. */
export const VALID_CONFIG = `providers:
  - name: hpcloud-az2
    max-servers: 8
    flavor: m1.nodepool
    template-domain: template.openstack.org
  - name: rax-iad
    max-servers: 6
    flavor: m1.nodepool
images:
  - name: devstack-precise
    base-image: ubuntu-precise
    setup: setup/prepare_devstack.sh
    providers: [hpcloud-az2, rax-iad]
labels:
  - name: devstack-precise
    image: devstack-precise
    min-ready:
      hpcloud-az2: 3
      rax-iad: 2
`;
