// Everything about one image in one provider: its current and previous builds, which builds
// and template servers stay, and whether a new build is due. Pure; capacity is decided later.
import { formatHours } from "../config/duration.js";
import { templateFlavor, type LoadedConfig } from "../config/definition.js";
import type { ImageConfig, ProviderConfig } from "../config/schema.js";
import { chooseCurrent, usableBuilds, type UsableBuild } from "./current.js";
import { setupFinished, type ImageBuild, type TemplateServer } from "./inventory.js";
import { buildProgress, type Removal } from "./progress.js";
import { rebuildDue } from "./rebuild.js";
import { retainBuilds } from "./retention.js";
import { buildResourceName } from "./names.js";
import type { ImagePlan, NewBuild, PlanError } from "./types.js";

export interface ImageDecision {
  plan: ImagePlan;
  current?: UsableBuild;
  rejected: ReadonlySet<number>;
  keptBuilds: ImageBuild[];
  deletedBuilds: Removal<ImageBuild>[];
  keptTemplates: TemplateServer[];
  deletedTemplates: Removal<TemplateServer>[];
  /** Kept template servers to snapshot now (setup finished, no build record yet), with why. */
  snapshots: { template: TemplateServer; reason: string }[];
  /** The build to start if capacity allows, with why it is due. */
  /** The build due; its owner is set by the provider's plan, which knows the stack. */
  wanted?: { build: Omit<NewBuild, "owner">; reason: string };
  errors: PlanError[];
}

export function decideImage(
  config: LoadedConfig,
  image: ImageConfig,
  provider: ProviderConfig,
  builds: readonly ImageBuild[],
  templates: readonly TemplateServer[],
  /** definitionHash(image, provider, setup digest): what a build made now would record. */
  expectedHash: string,
  now: number,
): ImageDecision {
  const rejected = new Set(config.rejected[image.name]?.[provider.name] ?? []);
  const pinnedVersion = config.pins[image.name]?.[provider.name];
  const usable = usableBuilds(builds, rejected);
  const errors: PlanError[] = [];
  const choice = chooseCurrent(usable, builds, pinnedVersion, provider.name);
  if (!choice.ok)
    errors.push({
      provider: provider.name,
      image: image.name,
      path: `pins.${image.name}.${provider.name}`,
      message: choice.message,
    });
  for (const build of builds)
    if (build.state === "ready" && build.cloudImageId === undefined)
      errors.push({
        provider: provider.name,
        image: image.name,
        message: `inventory: build ${build.version} is ready but has no cloudImageId (kept, not used)`,
      });
  const current = choice.ok ? choice.current : undefined;
  const previous = choice.ok ? choice.previous : undefined;

  const progress = buildProgress(builds, templates, image.buildTimeoutSeconds, now);
  const retention = retainBuilds({
    builds,
    usable,
    inProgress: progress.inProgress,
    decided: new Set(progress.abandonedBuilds.map((r) => r.item.version)),
    rejected,
    currentVersion: current?.version,
    previousVersion: previous?.version,
    pinnedVersion,
    unsure: !choice.ok,
    keep: image.keep,
  });

  const recorded = new Set(builds.map((b) => b.version));
  const snapshots = progress.keptTemplates
    .filter((t) => setupFinished(t) && !recorded.has(t.version))
    .map((template) => ({
      template,
      reason:
        template.state === "shutoff"
          ? "setup finished: the template server shut itself off"
          : "setup finished: the template server set nodepool_setup=done",
    }));

  const due = rebuildDue(usable[0], expectedHash, image.rebuildAgeSeconds, now);
  const buildingVersion = Math.max(...progress.inProgress);
  let noBuildReason: string | undefined;
  if (due !== undefined && image.paused) noBuildReason = `paused (otherwise due: ${due})`;
  else if (due !== undefined && progress.inProgress.size > 0)
    noBuildReason = `build ${buildingVersion} in progress for ${formatHours(now - buildingVersion)}`;
  const wanted =
    due === undefined || noBuildReason !== undefined
      ? undefined
      : {
          build: newBuild(
            image,
            provider,
            builds,
            templates,
            expectedHash,
            config.setupDigests[image.setup] ?? "",
            now,
          ),
          reason: due,
        };

  const plan: ImagePlan = {
    image: image.name,
    currentVersion: current?.version,
    previousVersion: previous?.version,
    pinnedVersion,
    readyVersions: builds
      .filter((b) => b.state === "ready")
      .map((b) => b.version)
      .sort((a, b) => a - b),
    rejectedVersions: [...rejected].sort((a, b) => a - b),
    kept: [...retention.kept]
      .map(([build, reasons]) => ({ version: build.version, reasons }))
      .sort((a, b) => a.version - b.version),
    buildingVersion: progress.inProgress.size > 0 ? buildingVersion : undefined,
    noBuildReason,
    paused: image.paused,
  };
  return {
    plan,
    current,
    rejected,
    keptBuilds: [...retention.kept.keys()],
    deletedBuilds: [...progress.abandonedBuilds, ...retention.deleted],
    keptTemplates: progress.keptTemplates,
    deletedTemplates: progress.deletedTemplates,
    snapshots,
    wanted,
    errors,
  };
}

function newBuild(
  image: ImageConfig,
  provider: ProviderConfig,
  builds: readonly ImageBuild[],
  templates: readonly TemplateServer[],
  expectedHash: string,
  setupDigest: string,
  now: number,
): Omit<NewBuild, "owner"> {
  // Versions only go up, even with a clock that stepped back, so names never collide.
  let version = now;
  for (const item of [...builds, ...templates]) version = Math.max(version, item.version + 1);
  return {
    provider: provider.name,
    image: image.name,
    version,
    hostname: `${image.name}-${version}${provider.templateDomain ? `.${provider.templateDomain}` : ""}`,
    baseImage: image.baseImage,
    flavor: templateFlavor(image, provider),
    networks: provider.networks,
    setup: image.setup,
    definitionHash: expectedHash,
    buildTimeoutSeconds: image.buildTimeoutSeconds,
    resourceName: buildResourceName(provider.name, image.name, version),
    userDataDigest: setupDigest,
  };
}
