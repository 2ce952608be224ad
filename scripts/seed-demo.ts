// Puts the seed's scenario in the local cloud for demos: the two ready devstack-precise builds
// of Nodepool's operator page (versions 1394417686 and 1394514268) in hpcloud-az2 and rax-iad,
// as Glance images carrying nodepool's properties and a few bytes of data (so they're active).
// Idempotent: a build that exists is left as it is (a queued one gets its data), a missing one
// is made. Run: OS_CLIENT_CONFIG_FILE=.cloud/clouds.yaml node --import tsx scripts/seed-demo.ts
import { definitionHash } from "../src/config/definition.js";
import { loadConfig } from "../src/config/load.js";
import { formatIssue } from "../src/config/issues.js";
import { META } from "../src/core/metadata.js";
import { openProvider, type ProviderClients } from "../src/openstack/clients.js";
import { formatOpenStackError, type OpenStackError } from "../src/openstack/errors.js";
import type { Result } from "../src/core/result.js";

const IMAGE = "devstack-precise";
const PROVIDERS = ["hpcloud-az2", "rax-iad"];
/**
 * The seed's builds, their template servers and their ages on the operator page. A new image
 * records "now minus that age" as its snapshot time (nodepool_created_at: Glance's created_at
 * can't be backdated), so image-list shows the seed's ages right after seeding.
 */
const BUILDS = [
  { version: 1394417686, templateServer: "4909797", ageHours: 26.83 },
  { version: 1394514268, templateServer: "4930213", ageHours: 0.75 },
];

class SeedError extends Error {}

function must<T>(result: Result<T, OpenStackError>): T {
  if (!result.ok) throw new SeedError(formatOpenStackError(result.error));
  return result.value;
}

async function seedBuild(
  clients: ProviderClients,
  provider: string,
  build: (typeof BUILDS)[number],
  properties: Record<string, string>,
): Promise<string> {
  const filters = {
    [META.kind]: "image",
    [META.provider]: provider,
    [META.image]: IMAGE,
    [META.version]: String(build.version),
  };
  const existing = must(await clients.glance.listImages({ filters }));
  let image =
    existing.find((candidate) => candidate.status === "active") ??
    existing.find((c) => c.status === "queued");
  let action = "kept";
  if (!image) {
    image = must(await clients.glance.createImage({ name: `${IMAGE}-${build.version}`, properties }));
    action = "created";
  }
  if (image.status === "queued") {
    must(
      await clients.glance.uploadImageData(image.id, new TextEncoder().encode(`${IMAGE} ${build.version}\n`)),
    );
    if (action === "kept") action = "uploaded";
  }
  return `${provider}: ${IMAGE} ${build.version} ${action} (image ${image.id})`;
}

async function main(): Promise<number> {
  const loaded = loadConfig(process.argv[2] ?? "images.yaml");
  if (!loaded.ok) {
    for (const issue of loaded.error) console.error(formatIssue(issue));
    return 1;
  }
  const config = loaded.value;
  const image = config.images.find((candidate) => candidate.name === IMAGE);
  let failed = false;
  await Promise.all(
    PROVIDERS.map(async (name) => {
      const provider = config.providers.find((candidate) => candidate.name === name);
      if (!provider || !image) {
        console.error(`${name}: not in ${config.file} with image ${IMAGE}; nothing seeded there`);
        failed = true;
        return;
      }
      const opened = openProvider(provider);
      if (!opened.ok) {
        console.error(formatOpenStackError(opened.error));
        failed = true;
        return;
      }
      const hash = definitionHash(image, provider, config.setupDigests[image.setup] ?? "");
      for (const build of BUILDS) {
        const domain = provider.templateDomain ? `.${provider.templateDomain}` : "";
        const properties = {
          [META.kind]: "image",
          [META.provider]: name,
          [META.image]: IMAGE,
          [META.version]: String(build.version),
          [META.createdAt]: String(Math.floor(Date.now() / 1000 - build.ageHours * 3600)),
          [META.hostname]: `${IMAGE}-${build.version}${domain}`,
          [META.templateServer]: build.templateServer,
          [META.definitionHash]: hash,
        };
        try {
          console.log(await seedBuild(opened.value, name, build, properties));
        } catch (error) {
          if (!(error instanceof SeedError)) throw error;
          console.error(error.message);
          failed = true;
        }
      }
    }),
  );
  return failed ? 4 : 0;
}

process.exitCode = await main();
