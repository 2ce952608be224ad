// Inventory records for planner tests: defaults that a test overrides only where it matters.
import { definitionHash, type LoadedConfig } from "../../src/config/definition.js";
import type {
  FlavorSize,
  NodeRequest,
  ImageBuild,
  Inventory,
  PoolNode,
  ProviderInventory,
  Quota,
  TemplateServer,
} from "../../src/plan/inventory.js";

export const DOMAIN = "template.openstack.org";

/** The hash a build of `image` in `provider` made from the config as it is now carries. */
export function currentHash(config: LoadedConfig, image: string, provider: string): string {
  const imageConfig = config.images.find((i) => i.name === image);
  const providerConfig = config.providers.find((p) => p.name === provider);
  if (imageConfig === undefined || providerConfig === undefined) return "not-configured";
  return definitionHash(imageConfig, providerConfig, config.setupDigests[imageConfig.setup] ?? "");
}

export function readyBuild(
  config: LoadedConfig,
  version: number,
  overrides: Partial<ImageBuild> = {},
): ImageBuild {
  const image = overrides.image ?? "devstack-precise";
  const provider = overrides.provider ?? "hpcloud-az2";
  return {
    provider,
    image,
    version,
    state: "ready",
    createdAt: version + 2700,
    cloudImageId: `glance-${version}`,
    hostname: `${image}-${version}.${DOMAIN}`,
    definitionHash: currentHash(config, image, provider),
    ...overrides,
  };
}

export function template(version: number, overrides: Partial<TemplateServer> = {}): TemplateServer {
  const image = overrides.image ?? "devstack-precise";
  return {
    provider: "hpcloud-az2",
    image,
    version,
    serverId: `server-template-${version}`,
    hostname: `${image}-${version}.${DOMAIN}`,
    state: "active",
    createdAt: version,
    stack: TEST_OWNER,
    ...overrides,
  };
}

export function node(name: string, imageVersion: number, overrides: Partial<PoolNode> = {}): PoolNode {
  return {
    provider: "hpcloud-az2",
    label: "devstack-precise",
    name,
    imageVersion,
    cloudImageId: `glance-${imageVersion}`,
    state: "ready",
    createdAt: imageVersion + 3600,
    serverId: `server-${name}`,
    stack: TEST_OWNER,
    ...overrides,
  };
}

/** What a test says about one provider: its items, or the error that kept it unread. */
export type ProviderSketch =
  | {
      images?: ImageBuild[];
      templates?: TemplateServer[];
      nodes?: PoolNode[];
      requests?: NodeRequest[];
      quota?: Quota;
      flavors?: Record<string, FlavorSize>;
    }
  | { error: string };

export function inventoryOf(readAt: number, providers: Record<string, ProviderSketch>): Inventory {
  const result: Inventory = { readAt, providers: {} };
  for (const [name, p] of Object.entries(providers)) {
    const read: ProviderInventory =
      "error" in p
        ? { provider: name, readable: false, error: p.error }
        : {
            provider: name,
            readable: true,
            images: p.images ?? [],
            templates: p.templates ?? [],
            nodes: p.nodes ?? [],
            ...(p.quota ? { quota: p.quota } : {}),
            ...(p.flavors ? { flavors: p.flavors } : {}),
            requests: p.requests ?? [],
          };
    result.providers[name] = read;
  }
  return result;
}

/**
 * The stack the plan tests plan for (`nodepool:owner`): the fixtures' nodes and template
 * servers carry it, as the ones a stack booted do (src/plan/ownership.ts).
 */
export const TEST_OWNER = "nodepool/test";
