// What exists in each provider, as read from the cloud (or a JSON file): the planner's input.
// Times are Unix seconds. Every item is something nodepool created and tagged (metadata.ts).

/**
 * building: snapshot not yet active; ready: active image; failed: the build broke or timed
 * out; deactivated: an admin made its data unreadable, reversibly (often to investigate it):
 * never booted from, never current, and never deleted by retention.
 */
export type ImageState = "building" | "ready" | "failed" | "deactivated";

export interface ImageBuild {
  provider: string;
  image: string;
  /** Build start in Unix seconds: the seed's 1394417686. */
  version: number;
  state: ImageState;
  createdAt: number;
  /** The cloud's image id (Glance), once the snapshot exists. */
  cloudImageId?: string;
  /** The template server the snapshot was taken from. */
  templateServerId?: string;
  /** devstack-precise-1394417686.template.openstack.org */
  hostname: string;
  /** Hash of the image definition the build was made from (config/definition.ts). */
  definitionHash?: string;
  /** The Pulumi project/stack whose snapshot it is; absent for images made outside Pulumi. */
  stack?: string;
}

export type TemplateServerState = "building" | "active" | "shutoff" | "failed";

export interface TemplateServer {
  provider: string;
  image: string;
  version: number;
  serverId: string;
  hostname: string;
  state: TemplateServerState;
  createdAt: number;
  /** Definition hash of the build it runs (config/definition.ts). */
  definitionHash?: string;
  /** The Pulumi project/stack that created it. */
  stack?: string;
  /** Its setup said so in metadata (nodepool_setup=done) while it kept running. */
  setupDone?: boolean;
  /** Why Nova failed it (its `fault` message), when it did: kept in the delete's reason. */
  fault?: string;
}

/** Setup has finished, so the server can be snapshotted: it shut itself off, or said so. */
export const setupFinished = (template: TemplateServer): boolean =>
  template.state === "shutoff" || (template.state === "active" && template.setupDone === true);

/**
 * building: booting; ready: waiting for a job; in-use: claimed by a job; used: released by
 * its job, to be deleted; hold: kept for debugging; failed: the server broke; deleting:
 * marked by `nodepool node delete`.
 */
export type NodeState = "building" | "ready" | "in-use" | "used" | "hold" | "failed" | "deleting";

export const NODE_STATES: readonly NodeState[] = [
  "building",
  "ready",
  "in-use",
  "used",
  "hold",
  "failed",
  "deleting",
];

export interface PoolNode {
  provider: string;
  label: string;
  /** The server's name, which is also its identity in the Pulumi program. */
  name: string;
  /** The image build (version) the node was booted from. */
  imageVersion: number;
  /** The cloud image id it was booted from. */
  cloudImageId?: string;
  state: NodeState;
  createdAt: number;
  serverId: string;
  /**
   * Nova's status of the server when read (ACTIVE, REBOOT, MIGRATING, ERROR…): shown beside
   * the state, which for an in-use or held node stays what its job or person set.
   */
  serverStatus?: string;
  /** Why Nova failed it (its `fault` message), when it did: kept in the delete's reason. */
  fault?: string;
  ip?: string;
  /** Who claimed it (in-use) and when; why it is held (hold). */
  claimedBy?: string;
  stateChangedAt?: number;
  holdReason?: string;
  /** The Pulumi project/stack that created it; only that stack declares (and so keeps) it. */
  stack?: string;
}

/**
 * A job waiting for a node of a label here (core/node-request.ts): the pool boots nodes for
 * live requests beyond min-ready. Times are Unix seconds on our clock.
 */
export interface NodeRequest {
  provider: string;
  /** The cloud's id of the record (its Neutron port). */
  id: string;
  label: string;
  /** Who waits: the claimer's name (a CI job id, host:pid). */
  requester: string;
  createdAt: number;
  /** When its claimer last rewrote it. */
  heartbeatAt: number;
}

export interface ReadableProvider {
  provider: string;
  readable: true;
  images: ImageBuild[];
  templates: TemplateServer[];
  nodes: PoolNode[];
  requests: NodeRequest[];
  /** The project's compute quota and use, everyone's servers counted; absent: not known. */
  quota?: Quota;
  /** Sizes of the flavors nodepool boots, by name: what each server takes of the quota. */
  flavors?: Record<string, FlavorSize>;
}

/** What a quota allows and what is used of it; a dimension without a limit is left out. */
export interface Quota {
  instances?: Headroom;
  cores?: Headroom;
  ramMb?: Headroom;
  /** Neutron ports: each server takes one per network it boots on. */
  ports?: Headroom;
}

export interface Headroom {
  limit: number;
  used: number;
}

export interface FlavorSize {
  vcpus: number;
  ramMb: number;
}

export interface UnreadableProvider {
  provider: string;
  readable: false;
  /** Why it could not be read: "hpcloud-az2: GET https://…/servers/detail: 503 Service Unavailable". */
  error: string;
}

export type ProviderInventory = ReadableProvider | UnreadableProvider;

export interface Inventory {
  /** When the inventory was read (Unix seconds). */
  readAt: number;
  /** By provider name. A configured provider missing here counts as unreadable. */
  providers: Record<string, ProviderInventory>;
}
