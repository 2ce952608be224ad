// A ready build made outside Pulumi for an e2e run: a Glance image carrying nodepool's
// metadata and the definition hash of the run's images.yaml, so the first `pulumi up` adopts
// it and boots pools at once instead of spending three rounds on a build.
import { definitionHash } from "../../src/config/definition.js";
import { loadConfig } from "../../src/config/load.js";
import { META } from "../../src/core/metadata.js";
import type { E2eRun } from "./e2e-reconcile.js";
import { must } from "./openstack-cloud.js";

/** Seeds a ready build `version` of the run's image in `provider`; returns its image id. */
export async function seedReadyBuild(run: E2eRun, provider: string, version: number): Promise<string> {
  const loaded = loadConfig(run.imagesFile);
  if (!loaded.ok) throw new Error(`the run's images.yaml is invalid: ${JSON.stringify(loaded.error)}`);
  const config = loaded.value;
  const image = config.images.find((i) => i.name === run.image)!;
  const providerConfig = config.providers.find((p) => p.name === provider)!;
  const hash = definitionHash(image, providerConfig, config.setupDigests[image.setup]!);
  const glance = run.clients[provider]!.glance;
  const created = must(
    await glance.createImage({
      name: `${run.prefix}-${version}`,
      properties: {
        [META.kind]: "image",
        [META.provider]: provider,
        [META.image]: run.image,
        [META.version]: String(version),
        [META.createdAt]: String(version + 60),
        [META.hostname]: `${run.image}-${version}.template.openstack.org`,
        [META.definitionHash]: hash,
      },
    }),
  );
  // A few bytes make the image active.
  must(await glance.uploadImageData(created.id, new TextEncoder().encode(`${version}\n`)));
  return created.id;
}
