// The rules of a pool node, in one place: which state a server's status and metadata mean,
// which nodes a job may claim, what a live port lock makes of a ready node, which nodes are
// someone's, and which labels have a pool in a provider. The inventory reader, the claim, the
// operator's marks and the plan all ask here, so they cannot disagree (a node the plan keeps
// as ready is a node a claim may take, and the reverse). Pure: no cloud, no clock.
import type { LabelConfig } from "../config/schema.js";
import { META } from "../core/metadata.js";
import type { PortVerdict } from "../core/port-claim.js";
import { NODE_STATES, type NodeState } from "./inventory.js";

/**
 * In-use (a job has it) and hold (a person has it): the node is someone's, so no round deletes
 * it, whatever the cloud says of its server meanwhile (a reboot, a migration, an error). The
 * inventory keeps these states over the cloud's status, and the pool keeps these nodes first.
 */
export const isInUseOrHeld = (state: NodeState): boolean => state === "in-use" || state === "hold";

/**
 * The states someone set on purpose come first: in-use and hold (a job or a person has the
 * node: whatever Nova says meanwhile, REBOOT, MIGRATING, RESIZE or ERROR, is reported beside
 * it in PoolNode.serverStatus, never read as broken), used and deleting (on their way out).
 * Then Nova's status: BUILD → building; ACTIVE → the CLI's metadata state, ready when none;
 * any other status (SHUTOFF, PAUSED, ERROR…) → failed, as it cannot take a job. An unknown
 * metadata state counts as failed: it must not be handed out.
 */
export function nodeState(novaStatus: string, metadataState: string | undefined): NodeState {
  const known = NODE_STATES.find((state) => state === metadataState);
  if (known !== undefined && (isInUseOrHeld(known) || known === "used" || known === "deleting")) return known;
  if (novaStatus === "BUILD") return metadataState === undefined || known === "ready" ? "building" : "failed";
  if (novaStatus !== "ACTIVE") return "failed";
  return metadataState === undefined ? "ready" : (known ?? "failed");
}

/** What of a Nova server these rules read. */
export interface ServerFacts {
  status: string;
  metadata?: Record<string, string>;
}

/**
 * Whether a server is a node of this provider and label that a claim may lock: ready, or (for
 * a round fencing what it deletes, `acceptBooting`) still booting, since it may turn ACTIVE
 * any moment. Its port lock is judged apart (portVerdict).
 */
export function isClaimableServer(
  server: ServerFacts,
  provider: string,
  label: string,
  acceptBooting = false,
): boolean {
  const meta = server.metadata ?? {};
  if (meta[META.kind] !== "node" || meta[META.provider] !== provider || meta[META.label] !== label)
    return false;
  const state = nodeState(server.status, meta[META.state]);
  return state === "ready" || (acceptBooting && state === "building");
}

/**
 * A claim locks a node's port before it writes `in-use` into Nova's metadata; in between, the
 * node still looks ready. A ready node whose port holds a live lock is therefore in-use (by
 * the lock's claimer), so that no round deletes a node a job is taking; a stale lock (its
 * claimer died before mirroring it) leaves the node ready, for the next claim to take over.
 */
export function stateWithLock(state: NodeState, verdict: PortVerdict): NodeState {
  return state === "ready" && verdict === "claimed" ? "in-use" : state;
}

/**
 * Whether a label has a pool in a provider: the provider is listed in its min-ready, with any
 * count, 0 included (a pool that holds no ready node but boots one for each waiting request).
 * A claim may take its nodes and record requests for it; nodes of a label without a pool there
 * are drained.
 */
export function hasPool(label: Pick<LabelConfig, "minReady">, provider: string): boolean {
  return label.minReady[provider] !== undefined;
}
