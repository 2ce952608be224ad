// Stack outputs: what `pulumi stack output` shows after a run.
import type { Plan } from "../plan/types.js";

export interface StackOutputs {
  /** provider → image → the version new nodes boot from (absent: none ready yet). */
  currentImages: Record<string, Record<string, number | null>>;
  /** label → state → nodes, over all providers, after this run. */
  nodeCounts: Record<string, Record<string, number>>;
  /** provider → builds started this run. */
  newBuilds: Record<string, string[]>;
  /**
   * provider → why it could not be read this run. Its resources were kept as they were, and
   * the other outputs leave it out: counts cover only the providers that could be read.
   */
  unreadableProviders: Record<string, string>;
}

export function stackOutputs(plan: Plan): StackOutputs {
  const currentImages: StackOutputs["currentImages"] = {};
  const nodeCounts: StackOutputs["nodeCounts"] = {};
  const newBuilds: StackOutputs["newBuilds"] = {};
  const count = (label: string, state: string) => {
    const byState = (nodeCounts[label] ??= {});
    byState[state] = (byState[state] ?? 0) + 1;
  };
  for (const provider of plan.providers) {
    currentImages[provider.provider] = Object.fromEntries(
      provider.images.map((image) => [image.image, image.currentVersion ?? null]),
    );
    for (const node of provider.desired.nodes) count(node.label, node.state);
    // `pulumi up` creates a server only once Nova says ACTIVE: after a successful run a new
    // node is ready (counting it "building" made the next preview show a change).
    for (const node of provider.desired.newNodes) count(node.label, "ready");
    newBuilds[provider.provider] = provider.desired.newBuilds.map((b) => `${b.image}-${b.version}`);
  }
  const unreadableProviders = Object.fromEntries(plan.unreadable.map((u) => [u.provider, u.error]));
  return { currentImages, nodeCounts, newBuilds, unreadableProviders };
}
