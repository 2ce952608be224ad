// Cross-checks on a schema-valid config: references resolve, names are unique, pools fit
// their providers, scripts can be used. Pure: what was wrong with a script comes in as a function.
import type { ConfigIssue } from "./issues.js";
import type { Config } from "./schema.js";
import { didYouMean } from "./suggest.js";

export interface ValidateContext {
  /** Why a setup script cannot be used (missing, outside the repository, …), or undefined. */
  scriptProblem: (path: string) => string | undefined;
}

function checkUniqueNames(
  kind: string,
  section: string,
  items: readonly { name: string }[],
  issues: ConfigIssue[],
) {
  const first = new Map<string, number>();
  items.forEach((item, index) => {
    const earlier = first.get(item.name);
    if (earlier === undefined) first.set(item.name, index);
    else
      issues.push({
        path: [section, index, "name"],
        message: `duplicate ${kind} name "${item.name}" (first used at ${section}[${earlier}])`,
      });
  });
}

export function validateConfig(config: Config, context: ValidateContext): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  checkUniqueNames("provider", "providers", config.providers, issues);
  checkUniqueNames("image", "images", config.images, issues);
  checkUniqueNames("label", "labels", config.labels, issues);

  const providers = new Map(config.providers.map((p) => [p.name, p]));
  const images = new Map(config.images.map((i) => [i.name, i]));

  config.images.forEach((image, index) => {
    const seen = new Set<string>();
    image.providers.forEach((provider, at) => {
      const path = ["images", index, "providers", at];
      if (!providers.has(provider))
        issues.push({
          path,
          message: `unknown provider "${provider}"${didYouMean(provider, providers.keys())}`,
        });
      else if (seen.has(provider)) issues.push({ path, message: `provider "${provider}" is listed twice` });
      seen.add(provider);
    });
    const scriptProblem = context.scriptProblem(image.setup);
    if (scriptProblem !== undefined)
      issues.push({
        path: ["images", index, "setup"],
        message: `setup script "${image.setup}" ${scriptProblem}`,
      });
  });

  config.labels.forEach((label, index) => {
    const image = images.get(label.image);
    if (image === undefined) {
      issues.push({
        path: ["labels", index, "image"],
        message: `unknown image "${label.image}"${didYouMean(label.image, images.keys())}`,
      });
    }
    for (const provider of Object.keys(label.minReady)) {
      const path = ["labels", index, "min-ready", provider];
      if (!providers.has(provider))
        issues.push({
          path,
          atKey: true,
          message: `unknown provider "${provider}"${didYouMean(provider, providers.keys())}`,
        });
      else if (image !== undefined && !image.providers.includes(provider))
        issues.push({
          path,
          atKey: true,
          message: `image "${image.name}" is not built in provider "${provider}" (it is built in: ${image.providers.join(", ")})`,
        });
    }
  });

  checkCapacity(config, issues);
  checkVersionReferences(config, "pins", issues);
  checkVersionReferences(config, "rejected", issues);
  checkPinsNotRejected(config, issues);
  return issues;
}

/** min-ready of every label, plus one template server per image built there, fits max-servers. */
function checkCapacity(config: Config, issues: ConfigIssue[]) {
  config.providers.forEach((provider, index) => {
    const pools = config.labels
      .map((label) => ({ name: label.name, count: label.minReady[provider.name] ?? 0 }))
      .filter((pool) => pool.count > 0);
    const templates = config.images.filter((i) => !i.paused && i.providers.includes(provider.name));
    const minReady = pools.reduce((sum, pool) => sum + pool.count, 0);
    const needed = minReady + templates.length;
    if (needed <= provider.maxServers) return;
    const labels = pools.map((pool) => `${pool.name}: ${pool.count}`).join(", ");
    issues.push({
      path: ["providers", index, "max-servers"],
      message:
        `${provider.maxServers} servers cannot hold min-ready ${minReady} (${labels}) plus ` +
        `${templates.length} template server${templates.length === 1 ? "" : "s"}: raise max-servers to ${needed} or lower min-ready`,
    });
  });
}

/** pins and rejected name an image and, under it, providers that image is built in. */
function checkVersionReferences(config: Config, section: "pins" | "rejected", issues: ConfigIssue[]) {
  const images = new Map(config.images.map((i) => [i.name, i]));
  for (const [imageName, byProvider] of Object.entries(config[section])) {
    const image = images.get(imageName);
    if (image === undefined) {
      issues.push({
        path: [section, imageName],
        atKey: true,
        message: `unknown image "${imageName}"${didYouMean(imageName, images.keys())}`,
      });
      continue;
    }
    for (const provider of Object.keys(byProvider)) {
      if (!image.providers.includes(provider))
        issues.push({
          path: [section, imageName, provider],
          atKey: true,
          message: `image "${imageName}" is not built in provider "${provider}"${didYouMean(provider, image.providers)}`,
        });
    }
  }
}

function checkPinsNotRejected(config: Config, issues: ConfigIssue[]) {
  for (const [image, byProvider] of Object.entries(config.pins)) {
    for (const [provider, version] of Object.entries(byProvider)) {
      if (config.rejected[image]?.[provider]?.includes(version))
        issues.push({
          path: ["pins", image, provider],
          message: `pinned version ${version} is also rejected: remove it from one of pins and rejected`,
        });
    }
  }
}
