// Which builds of one image in one provider are still in progress, and which build records
// and template servers are finished with. A build is one version; its template server is
// set up, snapshotted, then no longer needed.
import { formatHours } from "../config/duration.js";
import type { ImageBuild, TemplateServer } from "./inventory.js";

export interface Removal<T> {
  item: T;
  reason: string;
}

export interface BuildProgress {
  /** Versions still being built: kept, and no new build starts meanwhile. */
  inProgress: Set<number>;
  /** Building records past build-timeout (or whose template server failed): deleted. */
  abandonedBuilds: Removal<ImageBuild>[];
  keptTemplates: TemplateServer[];
  deletedTemplates: Removal<TemplateServer>[];
}

/**
 * A version is in progress while its build record is `building` (or absent: the snapshot is
 * not requested yet) and its template server has not failed, for at most build-timeout from
 * the build start (the version). Past that it is abandoned, so a stuck build can never block
 * the daily rebuild forever.
 */
export function buildProgress(
  builds: readonly ImageBuild[],
  templates: readonly TemplateServer[],
  buildTimeoutSeconds: number,
  now: number,
): BuildProgress {
  const stateOf = new Map(builds.map((b) => [b.version, b.state]));
  const failedTemplate = new Map(templates.filter((t) => t.state === "failed").map((t) => [t.version, t]));
  /** Why a template server failed, Nova's words when it gave them. */
  const templateFailed = (template: TemplateServer, subject: string) =>
    template.fault ? `${subject} failed (Nova: ${template.fault})` : `${subject} failed`;
  const progress: BuildProgress = {
    inProgress: new Set(),
    abandonedBuilds: [],
    keptTemplates: [],
    deletedTemplates: [],
  };
  const timedOut = (version: number) => now - version >= buildTimeoutSeconds;
  const timeoutReason = (version: number) =>
    `build timed out: started ${formatHours(now - version)} ago, build-timeout ${formatHours(buildTimeoutSeconds)}`;

  for (const build of builds) {
    if (build.state !== "building") continue;
    const failed = failedTemplate.get(build.version);
    if (failed)
      progress.abandonedBuilds.push({ item: build, reason: templateFailed(failed, "its template server") });
    else if (timedOut(build.version))
      progress.abandonedBuilds.push({ item: build, reason: timeoutReason(build.version) });
    else progress.inProgress.add(build.version);
  }
  for (const template of templates) {
    const state = stateOf.get(template.version);
    if (state === "ready" || state === "deactivated")
      progress.deletedTemplates.push({
        item: template,
        reason: `its snapshot ${template.version} is ${state}`,
      });
    else if (state === "failed")
      progress.deletedTemplates.push({ item: template, reason: `build ${template.version} failed` });
    else if (template.state === "failed")
      progress.deletedTemplates.push({ item: template, reason: templateFailed(template, "template server") });
    else if (timedOut(template.version))
      progress.deletedTemplates.push({ item: template, reason: timeoutReason(template.version) });
    else {
      progress.keptTemplates.push(template);
      progress.inProgress.add(template.version);
    }
  }
  return progress;
}
