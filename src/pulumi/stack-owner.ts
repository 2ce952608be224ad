// The stack's owner: the `nodepool_stack` value on every server and snapshot it creates, and
// the only ones it declares (so keeps). It was built from the project and stack names, so a
// `pulumi stack rename` or a new `name:` in Pulumi.yaml left the stack owning nothing, and one
// round deleted every node, template server and snapshot it had. Now it is stack config,
// `nodepool:owner`, set once: `pulumi stack rename` moves Pulumi.<stack>.yaml with it, and the
// project's name is not in it. Without it the program refuses (docs/decisions.md).
import { err, ok, type Result } from "../core/result.js";

/** Nova keeps metadata values of at most 255 characters. */
const MAX_OWNER_LENGTH = 255;

/**
 * `configured` is `nodepool:owner`; `projectStack` the current "project/stack", which is what
 * a stack that never had an owner tagged its servers with, until a rename.
 */
export function stackOwner(configured: string | undefined, projectStack: string): Result<string, string[]> {
  const owner = configured?.trim() ?? "";
  if (owner.length > MAX_OWNER_LENGTH)
    return err([
      `stack config nodepool:owner is ${owner.length} characters; Nova keeps at most ${MAX_OWNER_LENGTH}`,
    ]);
  if (owner !== "") return ok(owner);
  return err([
    "stack config nodepool:owner is not set. It is the nodepool_stack tag that marks what this stack",
    "owns; it lives in the stack's config so that renaming the stack or the project keeps it.",
    `A stack that has run under its current name before: pulumi config set nodepool:owner ${projectStack}`,
    "A stack renamed since its last run: set the project/stack it had then (its servers' nodepool_stack).",
    "A new stack: any name no other stack uses, e.g. the one above.",
  ]);
}
