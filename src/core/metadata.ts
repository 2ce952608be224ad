// The metadata nodepool puts on what it creates: Glance image properties and Nova server
// metadata. The cloud holds runtime state in these; the inventory is read back from them.
// Documented in docs/metadata.md; change both together.
export const META = {
  /** "image" (a snapshot), "template" (a template server) or "node" (a pool node). */
  kind: "nodepool_kind",
  provider: "nodepool_provider",
  image: "nodepool_image",
  /** Build version: build start in Unix seconds. */
  version: "nodepool_version",
  /** Definition hash of the build (images and template servers). */
  definitionHash: "nodepool_hash",
  /** Template hostname of a build. */
  hostname: "nodepool_hostname",
  /** On an image: the template server it was snapshotted from. */
  templateServer: "nodepool_template_server",
  /** On a template server: "done" once setup finished (alternative to shutting down). */
  setupStatus: "nodepool_setup",
  label: "nodepool_label",
  /** The Pulumi project/stack that created a node or template server ("nodepool/dev"). */
  stack: "nodepool_stack",
  /** Node state set by the CLI at run time: ready, in-use, used, hold, deleting. */
  state: "nodepool_state",
  stateChangedAt: "nodepool_state_at",
  claimedBy: "nodepool_claimed_by",
  holdReason: "nodepool_hold_reason",
  /**
   * On an image: when the snapshot was taken, in Unix seconds. The image's age is counted from
   * it (Glance's created_at cannot be set, so restored or imported images would look new).
   */
  createdAt: "nodepool_created_at",
} as const;

export type NodepoolKind = "image" | "template" | "node";
