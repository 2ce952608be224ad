// The plan as people read it: by provider (sorted), the current build of each image, each
// pool's state, the actions with their reasons, capacity notes, then the errors. Stable
// line for line, so two plans diff cleanly.
import type { ImagePlan, Plan, PoolPlan, ProviderPlan } from "./types.js";
import { compareNatural } from "../core/sort.js";

export function formatPlan(plan: Plan): string[] {
  const when = new Date(plan.now * 1000).toISOString().replace(".000Z", "Z");
  const lines = [
    `Plan at ${when} (now ${plan.now}) ` +
      (plan.stack !== undefined
        ? `for stack ${plan.stack}: what its \`pulumi up\` does`
        : "for every stack at once (--stack NAME: what one stack's `pulumi up` does)"),
  ];
  const sections = [
    ...plan.providers.map((p) => ({ name: p.provider, lines: providerLines(p) })),
    ...plan.unreadable.map((u) => ({
      name: u.provider,
      lines: [
        `${u.provider}: NOT READ, no actions (nothing is deleted that could not be seen; what the stack holds there is kept as it is, the other providers go on): ${u.error}`,
      ],
    })),
  ].sort((a, b) => compareNatural(a.name, b.name));
  for (const section of sections) lines.push("", ...section.lines);
  if (plan.errors.length > 0) {
    lines.push("", "errors:");
    for (const e of plan.errors) lines.push(`  ${e.provider}: ${e.path ? `${e.path}: ` : ""}${e.message}`);
  }
  if (plan.errors.length > 0)
    lines.push("", "`pulumi up` applies none of this while the plan has errors (docs/decisions.md).");
  const actions = plan.providers.reduce((sum, p) => sum + p.actions.length, 0);
  lines.push(
    "",
    [
      plural(actions, "action"),
      plural(plan.providers.length, "provider") + " planned",
      ...(plan.unreadable.length > 0 ? [`${plan.unreadable.length} not read`] : []),
      plural(plan.errors.length, "error"),
    ].join(", "),
  );
  return lines;
}

function providerLines(p: ProviderPlan): string[] {
  const c = p.capacity;
  const lines = [
    `${p.provider}: max-servers ${c.maxServers}, ${c.existing} servers now (${c.deleting} deleted this round), ` +
      `+${plural(c.newTemplates, "template")}, +${plural(c.newNodes, "node")}, ${c.free} free` +
      (c.quota !== undefined ? `; quota after this round: ${c.quota}` : ""),
  ];
  for (const image of p.images) lines.push(...imageLines(image));
  for (const pool of p.pools) {
    lines.push(poolLine(pool));
    for (const late of pool.overdue ?? []) lines.push(`    overdue: ${late}`);
  }
  if (p.actions.length === 0) lines.push("  no actions");
  else lines.push("  actions:", ...p.actions.map((a) => `    ${a.kind} ${a.target}: ${a.reason}`));
  if (p.leftAlone.length > 0)
    lines.push(
      "  left alone (not this stack's):",
      ...p.leftAlone.map((l) => `    ${l.kind} ${l.target} (${l.owner ?? "no owner"}): ${l.reason}`),
    );
  if (c.note !== undefined) lines.push(`  capacity: ${c.note}`);
  return lines;
}

function imageLines(image: ImagePlan): string[] {
  const current =
    image.currentVersion === undefined
      ? "no current build"
      : `current ${image.currentVersion}${image.currentVersion === image.pinnedVersion ? " (pinned)" : ""}`;
  const previous = image.previousVersion === undefined ? "no previous" : `previous ${image.previousVersion}`;
  const rejected = new Set(image.rejectedVersions);
  const ready = image.readyVersions.map((v) => (rejected.has(v) ? `${v} (rejected)` : `${v}`)).join(", ");
  const lines = [`  image ${image.image}: ${current}, ${previous}; ready: ${ready || "none"}`];
  if (image.paused) lines.push("    paused");
  if (image.buildingVersion !== undefined) lines.push(`    building ${image.buildingVersion}`);
  if (image.noBuildReason !== undefined) lines.push(`    no new build: ${image.noBuildReason}`);
  return lines;
}

function poolLine(pool: PoolPlan): string {
  const n = pool.counts;
  const kept = `${n.ready} ready, ${n.building} building, ${n.inUse} in use, ${n.held} held`;
  const stale = n.stale > 0 ? `, ${n.stale} on an old build` : "";
  const grow = pool.created > 0 ? `; +${pool.created}` : "";
  const short = pool.short > 0 ? `; short ${pool.short}${pool.note ? ` (${pool.note})` : ""}` : "";
  return `  pool ${pool.label}: min-ready ${pool.minReady}: ${kept}${stale}${grow}${short}`;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;
