// A build records the hash of the image definition it was built from, so that a changed
// definition (base image, flavor, setup script or its content) triggers a rebuild.
import { createHash } from "node:crypto";
import type { Config, ImageConfig, LabelConfig, ProviderConfig } from "./schema.js";

/** The flavor of an image's template servers here: the image's, else the provider's. */
export function templateFlavor(image: ImageConfig, provider: ProviderConfig): string {
  return image.flavor ?? provider.flavor;
}

/** The flavor of a label's nodes here: the label's, else the provider's (no label: drained). */
export function nodeFlavor(label: Pick<LabelConfig, "flavor"> | undefined, provider: ProviderConfig): string {
  return label?.flavor ?? provider.flavor;
}

export function definitionHash(image: ImageConfig, provider: ProviderConfig, setupDigest: string): string {
  const definition = {
    baseImage: image.baseImage,
    flavor: templateFlavor(image, provider),
    setup: image.setup,
    setupDigest,
  };
  return createHash("sha256").update(JSON.stringify(definition)).digest("hex").slice(0, 16);
}

/** The config as loaded: the schema's output plus what the loader read beside it. */
export interface LoadedConfig extends Config {
  /** images.yaml as named by the user, for messages. */
  file: string;
  /** Each setup script's text, by the path written in images.yaml: read once, at the boundary. */
  setupScripts: Record<string, string>;
  /** sha256 of each setup script's content, by the path written in images.yaml. */
  setupDigests: Record<string, string>;
}
