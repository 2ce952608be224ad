// A build's expected definition hash, once per distinct definition in a plan. Only the flavor
// varies by provider, so 100 providers × 20 images need 20 sha256s, not 2,000.
import { definitionHash, templateFlavor, type LoadedConfig } from "../config/definition.js";
import type { ImageConfig, ProviderConfig } from "../config/schema.js";

export type DefinitionHashes = (image: ImageConfig, provider: ProviderConfig) => string;

export function definitionHashes(config: LoadedConfig): DefinitionHashes {
  const known = new Map<string, string>();
  return (image, provider) => {
    const key = `${image.name}\n${templateFlavor(image, provider)}`;
    let hash = known.get(key);
    if (hash === undefined) {
      hash = definitionHash(image, provider, config.setupDigests[image.setup] ?? "");
      known.set(key, hash);
    }
    return hash;
  };
}
