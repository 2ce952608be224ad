// The Plan: what `plan(config, inventory, stack, now)` decides, for two readers. People read
// the actions (each with a reason), grouped by provider and sorted so two plans diff cleanly.
// The Pulumi program reads `desired`: the complete set of resources that should exist in
// each provider after this round, because anything it does not declare, Pulumi deletes.
// Every input is resolved here (names, flavors, timeouts, owner): the components translate.
import type { ImageBuild, NodeRequest, PoolNode, TemplateServer } from "./inventory.js";

export interface Plan {
  /** The time the plan was made for (Unix seconds); new build versions are derived from it. */
  now: number;
  /**
   * The stack (its `nodepool:owner`) whose round this is: it acts only on what it owns
   * (ownership.ts). Absent: planned for every stack at once, as if all ran one round.
   */
  stack?: string;
  /** One entry per configured provider whose inventory was read, sorted by name. */
  providers: ProviderPlan[];
  /** Configured providers that could not be read: no actions and no desired state for them. */
  unreadable: UnreadableProvider[];
  /** Problems that need a person (a pin to a missing build, …); sorted. Non-empty ⇒ exit 1. */
  errors: PlanError[];
}

export interface UnreadableProvider {
  provider: string;
  /** Why it could not be read, as the inventory reported it. */
  error: string;
}

export interface PlanError {
  provider: string;
  image?: string;
  /** Where in images.yaml the problem is, when it is there: pins.devstack-precise.hpcloud-az2 */
  path?: string;
  message: string;
}

export interface ProviderPlan {
  provider: string;
  /** The cloud region its resources live in (images.yaml's `region`; absent: the cloud's). */
  region?: string;
  /** Per image built in this provider, sorted by image name. */
  images: ImagePlan[];
  /** Per label with a pool (min-ready) in this provider, sorted by label name. */
  pools: PoolPlan[];
  capacity: CapacityPlan;
  /** Everything this round changes here, each with a reason; sorted (see sort.ts). */
  actions: Action[];
  /**
   * What this round sees here but may not touch, and why: another stack's builds, template
   * servers and nodes, and servers made outside any stack. Sorted like actions.
   */
  leftAlone: LeftAlone[];
  /** What should exist here after this round: the Pulumi program declares exactly this. */
  desired: DesiredState;
}

/** Something the plan would have acted on, or kept, that is not this stack's. */
export interface LeftAlone {
  kind: "image" | "template" | "node";
  provider: string;
  /** As an action names it: "devstack-precise 1394517000" or a node's name. */
  target: string;
  /** Its recorded owner (nodepool_stack); null: made outside any stack. */
  owner: string | null;
  /** What the plan would do with it, and that another owner decides. */
  reason: string;
}

/**
 * The owner of an item the program declares: the stack whose nodepool_stack it carries (a new
 * item gets the plan's). Null only in a plan made for every stack, for what it would create.
 */
export interface Owned {
  owner: string | null;
}

/** A kept build, as the program declares its snapshot. */
export interface KeptBuild extends ImageBuild, Owned {
  /** The Snapshot resource's name: `${provider}.${image}-${version}` (names.ts). */
  resourceName: string;
  /** The Glance image's name: `${image}-${version}`. */
  imageName: string;
  buildTimeoutSeconds: number;
}

/** A kept template server (a build in progress), as the program declares it. */
export interface KeptTemplate extends TemplateServer, Owned {
  /** Its server's and, once snapshotted, its Snapshot's resource name. */
  resourceName: string;
  imageName: string;
  /** Its image's template flavor: only to take over a server a lost state forgot. */
  flavor: string;
  buildTimeoutSeconds: number;
}

/** A kept node, as the program declares it. */
export interface KeptNode extends PoolNode, Owned {
  /** Its label's flavor: only to take over a server a lost state forgot. */
  flavor: string;
}

/**
 * The full desired state of one provider. Existing records are passed through untouched so
 * the Pulumi program can re-declare (or import) them under the same identity; everything of
 * this provider in the inventory that is not listed here is deleted by this round.
 */
export interface DesiredState {
  /** Existing builds to keep (ready ones carry cloudImageId, hostname, definitionHash). */
  builds: KeptBuild[];
  /** Builds to start this round: one template server each, snapshotted in a later round. */
  newBuilds: NewBuild[];
  /** Existing template servers to keep: those of builds still in progress. */
  templates: KeptTemplate[];
  /**
   * Of `templates`, those whose setup has finished and that have no snapshot yet: snapshot
   * them this round. A round never waits for a setup to finish, only for a snapshot's upload.
   */
  snapshots: KeptTemplate[];
  /** Existing nodes to keep, untouched: in-use, held, building and the ready ones still good. */
  nodes: KeptNode[];
  /** Nodes to boot this round from the current build of their label's image. */
  newNodes: NewNode[];
  /** Requests whose claimer died (no heartbeat): deleted this round, nothing booted for them. */
  expiredRequests: NodeRequest[];
}

export interface NewBuild {
  provider: string;
  image: string;
  /** Build start in Unix seconds; strictly above every version of this image here. */
  version: number;
  /** devstack-precise-1394517000.template.openstack.org */
  hostname: string;
  /** The provider's stock image the template server boots. */
  baseImage: string;
  /** Flavor of the template server: image.flavor ?? provider.flavor. */
  flavor: string;
  networks: string[];
  /** Setup script path (relative to images.yaml) to run on the template server. */
  setup: string;
  /** Recorded on the build so a later change of the definition triggers a rebuild. */
  definitionHash: string;
  /** Give up (and mark the build failed) after this long. */
  buildTimeoutSeconds: number;
  /** The template server's resource name, as its snapshot's later: `${provider}.${image}-${version}`. */
  resourceName: string;
  /** sha256 of the setup script, the server's user data (its text is the loader's). */
  userDataDigest: string;
  /** The stack that boots it: its nodepool_stack (null: planned for every stack). */
  owner: string | null;
}

export interface NewNode {
  provider: string;
  label: string;
  /** `${label}-${provider}-${round}-${i}` (src/plan/names.ts): never a name planned before. */
  name: string;
  image: string;
  /** The current build it boots from. */
  imageVersion: number;
  cloudImageId: string;
  /** label.flavor ?? provider.flavor */
  flavor: string;
  networks: string[];
  /** The stack that boots it: its nodepool_stack (null: planned for every stack). */
  owner: string | null;
}

/** Why a build is kept; a build may have several. */
export type KeepReason = "current" | "previous" | "pinned" | "newest" | "building" | "unsure" | "deactivated";

export interface ImagePlan {
  image: string;
  /** The build new nodes boot from: the pin if valid, else the newest ready non-rejected one. */
  currentVersion?: number;
  /** The next most recent ready non-rejected build below current: where a revert goes. */
  previousVersion?: number;
  /** The pinned version from images.yaml, valid or not. */
  pinnedVersion?: number;
  /** Ready builds present now, ascending (rejected ones included). */
  readyVersions: number[];
  /** Versions rejected in images.yaml for this image and provider, ascending. */
  rejectedVersions: number[];
  /** Kept builds (any state) with why, ascending by version. */
  kept: { version: number; reasons: KeepReason[] }[];
  /** The build in progress, if any (building, or its template server exists). */
  buildingVersion?: number;
  /** Set when a build starts this round (the details are in desired.newBuilds). */
  newBuildVersion?: number;
  /** Why no build starts when one is due (paused, in progress, no capacity); else absent. */
  noBuildReason?: string;
  paused: boolean;
}

export interface PoolPlan {
  label: string;
  image: string;
  minReady: number;
  /** The build new nodes boot from; absent when the image has none (pool cannot grow). */
  currentVersion?: number;
  /** Kept nodes by state. ready/building count only those on the current build. */
  counts: { ready: number; building: number; inUse: number; held: number; stale: number };
  /** Live requests for this label here: jobs waiting for a node (core/node-request.ts). */
  requests: number;
  /**
   * min-ready plus the live requests, minus the kept ready+building nodes on the current
   * build (never below 0): requests are served first, min-ready is the buffer above them.
   */
  deficit: number;
  /** Of the deficit, what the requests need: booted first when room is short (capacity.ts). */
  requestDeficit: number;
  /** Nodes created this round (≤ deficit; less when capacity is short). */
  created: number;
  /** deficit − created: what capacity (or a missing current build) left unfilled. */
  short: number;
  /** Why the pool is short, when it is. */
  note?: string;
  /** In-use nodes past the label's max-in-use-age that stay (on-max-in-use-age: report), each with why. */
  overdue?: string[];
}

export interface CapacityPlan {
  maxServers: number;
  /** Servers nodepool owns here now, including those deleted this round (see capacity.ts). */
  existing: number;
  /** Of `existing`, those this round deletes: their room is only usable next round. */
  deleting: number;
  newTemplates: number;
  newNodes: number;
  /** Room left after this round: maxServers − existing − newTemplates − newNodes (≥ 0). */
  free: number;
  /** The project's compute quota after this round, when the cloud tells it: "instances 8/10, cores 16/20". */
  quota?: string;
  /** Labels that got fewer nodes than their deficit, and how the room was shared. */
  note?: string;
}

export type ActionKind =
  | "build"
  | "snapshot"
  | "delete-image"
  | "delete-template"
  | "create-node"
  | "delete-node"
  | "delete-request";

export interface Action {
  kind: ActionKind;
  provider: string;
  /** The stack whose round does it: the item's owner (null: a new item, planned for every stack). */
  owner: string | null;
  /** What it acts on: "devstack-precise 1394517000" or a node's name. */
  target: string;
  /** Why, in words: "newest ready is 26.8 h old, rebuild-age 24.0 h". */
  reason: string;
}
