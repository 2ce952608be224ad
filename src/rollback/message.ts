// The commit message of a rollback: a subject a person scans in `git log`, a body that says
// what changes for the nodes, and trailers a tool reads back with
// `git log --format='%(trailers:key=Nodepool-Rejected,valueonly)'`:
//   Nodepool-Rejected: <image> <provider> <version> <cloud image id or ->
//   Nodepool-Pinned:   <image> <provider> <version> <cloud image id or ->
//   Nodepool-Unpinned: <image> <provider> <version>
import type { AlreadyReverted, BuildRef, ProviderChange, Rollback } from "./change.js";

export function commitMessage(rollback: Rollback, reason?: string): string {
  const paragraphs = [subject(rollback)];
  if (reason !== undefined && reason.trim() !== "") paragraphs.push(reason.trim());
  paragraphs.push(
    [
      ...rollback.changes.map((change) => describe(rollback, change)),
      ...(rollback.alreadyReverted ?? []).map(
        (left) => `${left.provider}: already reverted, unchanged: ${pinnedAndRejected(left)}`,
      ),
    ].join("\n"),
  );
  paragraphs.push(trailers(rollback).join("\n"));
  return `${paragraphs.join("\n\n")}\n`;
}

export function subject(rollback: Rollback): string {
  const { image, changes } = rollback;
  const to = changes.map((c) => `${c.provider} to ${c.pin?.version}`).join(", ");
  switch (rollback.command) {
    case "revert":
      return `Revert ${image} on ${to}`;
    case "pin":
      return `Pin ${image} on ${to}`;
    case "unpin":
      return `Unpin ${image} on ${changes.map((c) => c.provider).join(", ")}`;
    case "delete-image": {
      const [change] = changes;
      return `Reject ${image} ${change?.reject?.version} on ${change?.provider} (delete-image ${rollback.id})`;
    }
  }
}

/** "hpcloud-az2: new nodes boot from 1394417686" and what changed below it, one per line. */
function describe(rollback: Rollback, change: ProviderChange): string {
  const next =
    rollback.command === "unpin"
      ? "new nodes follow the newest ready build again"
      : change.nextCurrent
        ? `new nodes boot from ${change.nextCurrent.version}`
        : "no ready build is left to boot new nodes from until the next build is ready";
  const lines = [`${change.provider}: ${next}`];
  if (change.reject) lines.push(`  rejected ${build(change.reject)}`);
  if (change.unpin !== undefined) lines.push(`  unpinned ${change.unpin}`);
  if (change.pin) lines.push(`  pinned ${build(change.pin)}`);
  return lines.join("\n");
}

/** What a rollback that changes nothing says instead of a commit. */
export function unchangedMessage(rollback: Rollback, file: string): string {
  const reverted = rollback.alreadyReverted ?? [];
  if (reverted.length === 0) return `Nothing to change in ${file}: it already says so.`;
  const which = reverted.length === 1 ? "the pinned build is" : "a pinned build is";
  return [
    ...reverted.map(
      (left) => `${rollback.image} is already reverted in ${left.provider}: ${pinnedAndRejected(left)}.`,
    ),
    `Nothing to change in ${file}. If ${which} bad too, reject it with \`nodepool delete-image ID\` ` +
      "(`nodepool image-list` shows the IDs).",
  ].join("\n");
}

const pinnedAndRejected = (left: AlreadyReverted) =>
  `pinned to ${left.pinned.version}, ${left.rejected.version} rejected`;

const build = (ref: BuildRef) => `${ref.version}, image ${ref.cloudImageId ?? "unknown"}`;

function trailers(rollback: Rollback): string[] {
  const { image } = rollback;
  return [
    `Nodepool-Command: ${rollback.command}${rollback.id ? ` ${rollback.id}` : ""}`,
    ...rollback.changes.flatMap((c) => [
      ...(c.reject
        ? [`Nodepool-Rejected: ${image} ${c.provider} ${c.reject.version} ${c.reject.cloudImageId ?? "-"}`]
        : []),
      ...(c.unpin !== undefined ? [`Nodepool-Unpinned: ${image} ${c.provider} ${c.unpin}`] : []),
      ...(c.pin
        ? [`Nodepool-Pinned: ${image} ${c.provider} ${c.pin.version} ${c.pin.cloudImageId ?? "-"}`]
        : []),
    ]),
  ];
}
