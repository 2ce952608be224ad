// The Pulumi program: load images.yaml → read the inventory → plan → declare. A provider that
// could not be read is declared again as this stack's state holds it (frozen-state.ts), so the
// others go on; it refuses to declare anything when the plan has an error or the state cannot
// say what to keep, because a resource left out of a Pulumi program is a resource Pulumi deletes.
import type { ComponentResourceOptions } from "@pulumi/pulumi";
import type { LoadedConfig } from "../config/definition.js";
import { formatIssue, type LocatedIssue } from "../config/issues.js";
import type { Result } from "../core/result.js";
import type { CloudConfig } from "../openstack/clouds-config.js";
import type { FenceOutcome } from "../nodes/fence.js";
import { nodesDropped, nodesToFence } from "../plan/fence.js";
import type { Inventory, NodeRequest, PoolNode } from "../plan/inventory.js";
import { plan as makePlan } from "../plan/plan.js";
import type { Plan } from "../plan/types.js";
import { FrozenProvider } from "./components/frozen-provider.js";
import { NodepoolProvider } from "./components/provider.js";
import { frozenProvider, frozenResources, type FrozenResource, type StateResource } from "./frozen-state.js";
import { stackOutputs, type StackOutputs } from "./outputs.js";
import type { ProgramPhase } from "./phases.js";

/** Everything the program reads from outside, so tests can run it on fixtures. */
export interface ProgramSources {
  /** "project/stack": recorded on what this stack creates. */
  stack: string;
  loadConfig: () => Result<LoadedConfig, LocatedIssue[]>;
  /** Credentials of each provider's cloud (for the snapshot provider). */
  cloudFor: (config: LoadedConfig, provider: string) => Result<CloudConfig, string>;
  /** The inventory, stamped with the time it was read: the round's one clock reading. */
  readInventory: (config: LoadedConfig) => Promise<Inventory>;
  snapshotPollSeconds?: number;
  /** Options for each provider's component (tests pass transformations to watch resources). */
  providerOptions?: ComponentResourceOptions;
  /**
   * Take the nodes this round deletes away from claims before anything is declared
   * (src/nodes/fence.ts). Absent in a preview, which must change nothing in the cloud.
   */
  fenceNodes?: (config: LoadedConfig, nodes: PoolNode[]) => Promise<FenceOutcome>;
  /**
   * Send Nova the deletes of the nodes the plan drops as soon as it is made, fenced or no
   * longer claimable, instead of when the engine gets to them: it deletes what its program
   * did not declare only after every create has finished, so a used node outlived the boot
   * of its replacement. Returns what could not be deleted (Pulumi's delete then does it).
   * Absent in a preview.
   */
  deleteNodes?: (config: LoadedConfig, nodes: PoolNode[]) => Promise<string[]>;
  /**
   * A token the OpenStack provider may use as it is: the one the inventory was just read with,
   * which every service has validated and cached. Undefined: the provider logs in itself.
   */
  providerToken?: (config: LoadedConfig, provider: string) => Promise<string | undefined>;
  /**
   * Delete the requests of claimers that died (the plan's desired.expiredRequests); returns
   * what could not be deleted. Absent in a preview. Requests are not Pulumi resources: they
   * are the claimers', and a round only removes the dead ones.
   */
  deleteRequests?: (config: LoadedConfig, requests: NodeRequest[]) => Promise<string[]>;
  /**
   * This stack's resources as its Pulumi state holds them (`pulumi stack export`), asked only
   * when a provider could not be read: what the round declares again for it, unchanged.
   * Absent: an unreadable provider stops the round, as it must when nothing says what to keep.
   */
  exportState?: () => Promise<Result<StateResource[], string>>;
  /** Where problems that do not stop the round are said (pulumi.log.warn in the engine). */
  warn?: (message: string) => void;
  /** Marks the program's phases for the reconciler's round breakdown (src/pulumi/phases.ts). */
  phase?: (phase: ProgramPhase) => void;
}

/** Plans made before the round gives up: each one after jobs claimed nodes it meant to delete. */
export const MAX_FENCE_ATTEMPTS = 3;

export class RefusedToPlan extends Error {}

function refuse(lines: string[]): never {
  throw new RefusedToPlan(`nodepool declares nothing this run:\n  ${lines.join("\n  ")}`);
}

/**
 * Decide, or refuse. Nothing is declared until this has returned. In an `up`, every node the
 * plan deletes that a job could still claim is fenced first; if a job got one of them since
 * the read, the plan is made again from a fresh inventory, which keeps that node.
 */
export interface Decision {
  config: LoadedConfig;
  plan: Plan;
  inventory: Inventory;
  clouds: Record<string, CloudConfig>;
  /** Unreadable providers and what the state holds there, declared again unchanged. */
  frozen: { provider: string; error: string; tree: FrozenResource }[];
}

export async function decide(sources: ProgramSources): Promise<Decision> {
  const loaded = sources.loadConfig();
  if (!loaded.ok) refuse(loaded.error.map(formatIssue));
  const config = loaded.value;
  const clouds: Record<string, CloudConfig> = {};
  const cloudProblems: { provider: string; message: string }[] = [];
  for (const provider of config.providers) {
    const cloud = sources.cloudFor(config, provider.name);
    if (cloud.ok) clouds[provider.name] = cloud.value;
    else
      cloudProblems.push({ provider: provider.name, message: `provider ${provider.name}: ${cloud.error}` });
  }
  for (let attempt = 1; ; attempt++) {
    const inventory = await sources.readInventory(config);
    sources.phase?.("inventoryRead");
    // Planned at the time the inventory was read: one clock reading per round, so ages and
    // timeouts are measured against what was seen, not against a later instant.
    const plan = makePlan(config, inventory, sources.stack, inventory.readAt);
    const problems = [
      ...plan.errors.map((e) => `${e.path ? `${e.path}: ` : ""}${e.message}`),
      // A provider without credentials cannot be read either: it is kept as the state holds it.
      ...cloudProblems
        .filter((c) => !plan.unreadable.some((u) => u.provider === c.provider))
        .map((c) => c.message),
    ];
    if (problems.length > 0) refuse(problems);
    const frozen = await freeze(sources, plan);
    const doomed = sources.fenceNodes ? nodesToFence(plan, inventory) : [];
    if (doomed.length === 0) return { config, plan, inventory, clouds, frozen };
    const fence = await sources.fenceNodes!(config, doomed);
    if (fence.lost.length === 0 && fence.errors.length === 0)
      return { config, plan, inventory, clouds, frozen };
    if (attempt === MAX_FENCE_ATTEMPTS) {
      refuse([
        `nodes this round would delete kept changing hands while it fenced them (${attempt} plans):`,
        ...fence.lost.map((l) => `${l.provider}/${l.name}: ${l.why}`),
        ...fence.errors,
        "nothing was deleted; the next round tries again",
      ]);
    }
  }
}

/**
 * The providers the plan left alone because they could not be read, with what this stack's
 * state holds in each: the round declares that again unchanged, so the other providers go on
 * and nothing of an unreadable one is deleted or replaced (never delete what could not be
 * seen). Refuses when the state cannot say what to keep.
 */
async function freeze(sources: ProgramSources, plan: Plan) {
  if (plan.unreadable.length === 0) return [];
  const unreadable = (u: { provider: string; error: string }, why: string) =>
    `provider ${u.provider} could not be read (${u.error}), and ${why}, so nothing may change anywhere`;
  if (!sources.exportState)
    refuse(plan.unreadable.map((u) => unreadable(u, "this run has no state to keep it from")));
  const state = await sources.exportState();
  if (!state.ok)
    refuse(plan.unreadable.map((u) => unreadable(u, `the stack's state could not be read: ${state.error}`)));
  const frozen: Decision["frozen"] = [];
  for (const u of plan.unreadable) {
    const tree = frozenProvider(state.value, u.provider);
    if (!tree.ok) refuse([unreadable(u, tree.error)]);
    if (tree.value === undefined) {
      sources.warn?.(
        `nodepool: provider ${u.provider} could not be read (${u.error}); this stack holds nothing there`,
      );
      continue;
    }
    const count = frozenResources(tree.value).filter((r) => r.id !== undefined).length;
    sources.warn?.(
      `nodepool: provider ${u.provider} could not be read (${u.error}): its ${count} resources are ` +
        "declared again as the state holds them, and nothing there changes this round",
    );
    frozen.push({ provider: u.provider, error: u.error, tree: tree.value });
  }
  return frozen;
}

export async function runProgram(sources: ProgramSources): Promise<StackOutputs> {
  const { config, plan, inventory, clouds, frozen } = await decide(sources);
  sources.phase?.("decided");
  // Sent now, awaited after declaring: the deletes run while the engine creates.
  const dropped = sources.deleteNodes ? nodesDropped(plan, inventory) : [];
  const deleting =
    dropped.length > 0
      ? sources.deleteNodes!(config, dropped).then((problems) => {
          sources.phase?.("nodesDeleteSent");
          for (const problem of problems)
            sources.warn?.(`nodepool: a node is deleted by Pulumi's step instead: ${problem}`);
        })
      : Promise.resolve();
  const expired = plan.providers.flatMap((p) => p.desired.expiredRequests);
  if (sources.deleteRequests && expired.length > 0)
    for (const problem of await sources.deleteRequests(config, expired))
      sources.warn?.(`nodepool: a dead claimer's request stays until the next round: ${problem}`);
  for (const providerPlan of plan.providers) {
    const token = await sources.providerToken?.(config, providerPlan.provider);
    new NodepoolProvider(
      providerPlan.provider,
      {
        plan: providerPlan,
        cloud: clouds[providerPlan.provider]!,
        // Read by the loader, inside the repository boundary; never opened again here.
        setupScripts: config.setupScripts,
        snapshotPollSeconds: sources.snapshotPollSeconds,
        ...(token !== undefined ? { token } : {}),
      },
      sources.providerOptions,
    );
  }
  for (const { provider, tree } of frozen)
    new FrozenProvider(provider, { tree, cloud: clouds[provider] }, sources.providerOptions);
  await deleting;
  return stackOutputs(plan);
}
