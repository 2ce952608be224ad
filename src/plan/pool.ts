// One label's nodes in one provider: which stay, which go (and why), and how many new ones
// the pool needs. Names and capacity are decided per provider (names.ts, capacity.ts).
import { formatHours } from "../config/duration.js";
import type { UsableBuild } from "./current.js";
import type { NodeRequest, PoolNode } from "./inventory.js";
import { isInUseOrHeld } from "./node-rules.js";
import type { Removal } from "./progress.js";
import type { PoolPlan } from "./types.js";

export interface PoolInput {
  label: string;
  image: string;
  /** undefined: the label has no pool here (removed from images.yaml): drain it. */
  minReady?: number;
  maxReadyAgeSeconds?: number;
  maxHoldAgeSeconds?: number;
  maxInUseAgeSeconds?: number;
  /** report: an in-use node past max-in-use-age stays and is named in `overdue`; release: it goes. */
  onMaxInUseAge?: "report" | "release";
  /** The provider's launch-timeout: a node building longer than this is deleted. */
  launchTimeoutSeconds: number;
  nodes: readonly PoolNode[];
  /** Live requests for the label here, oldest first. */
  requests: readonly NodeRequest[];
  current?: UsableBuild;
  rejected: ReadonlySet<number>;
  now: number;
}

export interface PoolDecision {
  plan: PoolPlan;
  kept: PoolNode[];
  deleted: Removal<PoolNode>[];
  /**
   * The requests no ready or booting node is left for, oldest first: the oldest requests take
   * the nodes there are, so these are what new nodes are for.
   */
  unserved: NodeRequest[];
}

const GONE: Partial<Record<PoolNode["state"], string>> = {
  used: "used by its job",
  deleting: "marked for deletion",
};

/**
 * In-use and held nodes always stay (a job or a person has them), whatever the cloud says of
 * their servers: that rule comes before any other. Building nodes stay while the pool exists,
 * unless booted from a rejected build or still booting past launch-timeout (stuck: they would
 * hold a place in the pool and in max-servers forever). Ready nodes are
 * replaced when booted from a build that is not current, or older than max-ready-age; but
 * only when there is a current build to replace them from, except that nodes booted from a
 * rejected build go regardless.
 */
export function decidePool(input: PoolInput): PoolDecision {
  const { current } = input;
  const kept: PoolNode[] = [];
  const deleted: Removal<PoolNode>[] = [];
  const counts = { ready: 0, building: 0, inUse: 0, held: 0, stale: 0 };
  const noPool = input.minReady === undefined ? `label ${input.label} has no pool here` : undefined;
  const overdue: string[] = [];

  for (const node of input.nodes) {
    const late = isInUseOrHeld(node.state) ? pastMaxAge(node, input) : undefined;
    if (late !== undefined && !late.release) overdue.push(`${node.name}: ${late.reason}`);
    const reason = isInUseOrHeld(node.state)
      ? late?.release
        ? late.reason
        : undefined
      : removalReason(node, input, noPool);
    if (reason !== undefined) {
      deleted.push({ item: node, reason });
      continue;
    }
    kept.push(node);
    if (node.state === "in-use") counts.inUse++;
    else if (node.state === "hold") counts.held++;
    else if (current !== undefined && node.imageVersion !== current.version) counts.stale++;
    else if (node.state === "ready") counts.ready++;
    else counts.building++;
  }

  const minReady = input.minReady ?? 0;
  const requests = input.minReady === undefined ? [] : input.requests;
  const supply = counts.ready + counts.building;
  const unserved = requests.slice(supply);
  const deficit = Math.max(0, minReady + requests.length - supply);
  const note =
    current === undefined && deficit > 0
      ? `no current build of image ${input.image} here: the pool cannot get new nodes`
      : undefined;
  return {
    plan: {
      label: input.label,
      image: input.image,
      minReady,
      currentVersion: current?.version,
      counts,
      requests: requests.length,
      deficit,
      requestDeficit: unserved.length,
      created: 0,
      short: deficit,
      note,
      ...(overdue.length > 0 ? { overdue } : {}),
    },
    kept,
    deleted,
    unserved,
  };
}

/**
 * The one exception to "in-use and held nodes stay": the label's own age limits, measured
 * from the claim or the hold (stateChangedAt; a node without it is never late). A hold past
 * max-hold-age is released, as Nodepool's max-hold-age; an in-use node past max-in-use-age
 * (a job that died without releasing it) is named, or released when the label says so.
 */
function pastMaxAge(node: PoolNode, input: PoolInput): { reason: string; release: boolean } | undefined {
  if (node.stateChangedAt === undefined) return undefined;
  const age = input.now - node.stateChangedAt;
  if (node.state === "hold" && input.maxHoldAgeSeconds !== undefined && age > input.maxHoldAgeSeconds) {
    const why = node.holdReason ? ` (${node.holdReason})` : "";
    return {
      reason: `held for ${formatHours(age)}${why}, max-hold-age ${formatHours(input.maxHoldAgeSeconds)}`,
      release: true,
    };
  }
  if (node.state === "in-use" && input.maxInUseAgeSeconds !== undefined && age > input.maxInUseAgeSeconds) {
    const by = node.claimedBy ? ` by ${node.claimedBy}` : "";
    return {
      reason: `in use${by} for ${formatHours(age)}, max-in-use-age ${formatHours(input.maxInUseAgeSeconds)}`,
      release: input.onMaxInUseAge === "release",
    };
  }
  return undefined;
}

/** Why a node nobody has goes this round; undefined when it stays. */
function removalReason(node: PoolNode, input: PoolInput, noPool: string | undefined): string | undefined {
  if (node.state === "failed") return failedReason(node);
  return (
    GONE[node.state] ??
    noPool ??
    (node.state === "ready" ? readyReplacement(node, input) : undefined) ??
    (node.state === "building" ? buildingReplacement(node, input) : undefined)
  );
}

const failedReason = (node: PoolNode): string => {
  const status =
    node.serverStatus === undefined || node.serverStatus === "ACTIVE" ? "" : `Nova: ${node.serverStatus}`;
  const why = [status, node.fault ?? ""].filter((part) => part !== "").join(": ");
  return why === "" ? "the server failed" : `the server failed (${why})`;
};

function buildingReplacement(node: PoolNode, input: PoolInput): string | undefined {
  // A node still booting from a rejected build would only be replaced once ready.
  if (input.rejected.has(node.imageVersion)) return `booted from rejected ${node.imageVersion}`;
  const age = input.now - node.createdAt;
  if (age >= input.launchTimeoutSeconds)
    return `still building after ${formatHours(age)}, launch-timeout ${formatHours(input.launchTimeoutSeconds)}`;
  return undefined;
}

function readyReplacement(node: PoolNode, input: PoolInput): string | undefined {
  if (input.rejected.has(node.imageVersion)) return `booted from rejected ${node.imageVersion}`;
  const current = input.current;
  if (current === undefined) return undefined;
  if (node.imageVersion !== current.version)
    return `booted from ${node.imageVersion}, current is ${current.version}`;
  const age = input.now - node.createdAt;
  if (input.maxReadyAgeSeconds !== undefined && age > input.maxReadyAgeSeconds)
    return `${formatHours(age)} old, max-ready-age ${formatHours(input.maxReadyAgeSeconds)}`;
  return undefined;
}
