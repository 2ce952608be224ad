// The Pulumi program: load images.yaml → read the inventory → plan → declare. It refuses to
// declare anything when a provider could not be read or the plan has an error, because a
// resource left out of a Pulumi program is a resource Pulumi deletes.
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
import { NodepoolProvider } from "./components/provider.js";
import { stackOutputs, type StackOutputs } from "./outputs.js";
import type { ProgramPhase } from "./phases.js";

/** Everything the program reads from outside, so tests can run it on fixtures. */
export interface ProgramSources {
  /** "project/stack": recorded on what this stack creates. */
  stack: string;
  loadConfig: () => Result<LoadedConfig, LocatedIssue[]>;
  /** Credentials of each provider's cloud (for the snapshot provider). */
  cloudFor: (config: LoadedConfig, provider: string) => Result<CloudConfig, string>;
  readInventory: (config: LoadedConfig) => Promise<Inventory>;
  /** Unix seconds. */
  now: () => number;
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
export async function decide(
  sources: ProgramSources,
): Promise<{ config: LoadedConfig; plan: Plan; inventory: Inventory; clouds: Record<string, CloudConfig> }> {
  const loaded = sources.loadConfig();
  if (!loaded.ok) refuse(loaded.error.map(formatIssue));
  const config = loaded.value;
  const clouds: Record<string, CloudConfig> = {};
  const cloudProblems: string[] = [];
  for (const provider of config.providers) {
    const cloud = sources.cloudFor(config, provider.name);
    if (cloud.ok) clouds[provider.name] = cloud.value;
    else cloudProblems.push(`provider ${provider.name}: ${cloud.error}`);
  }
  for (let attempt = 1; ; attempt++) {
    const inventory = await sources.readInventory(config);
    sources.phase?.("inventoryRead");
    const plan = makePlan(config, inventory, sources.now());
    const problems = [
      ...plan.unreadable.map(
        (u) => `provider ${u.provider} could not be read, so nothing may change anywhere: ${u.error}`,
      ),
      ...plan.errors.map((e) => `${e.path ? `${e.path}: ` : ""}${e.message}`),
      ...cloudProblems,
    ];
    if (problems.length > 0) refuse(problems);
    const doomed = sources.fenceNodes ? nodesToFence(plan, inventory, sources.stack) : [];
    if (doomed.length === 0) return { config, plan, inventory, clouds };
    const fence = await sources.fenceNodes!(config, doomed);
    if (fence.lost.length === 0 && fence.errors.length === 0) return { config, plan, inventory, clouds };
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

export async function runProgram(sources: ProgramSources): Promise<StackOutputs> {
  const { config, plan, inventory, clouds } = await decide(sources);
  sources.phase?.("decided");
  // Sent now, awaited after declaring: the deletes run while the engine creates.
  const dropped = sources.deleteNodes ? nodesDropped(plan, inventory, sources.stack) : [];
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
        config,
        plan: providerPlan,
        cloud: clouds[providerPlan.provider]!,
        stack: sources.stack,
        // Read by the loader, inside the repository boundary; never opened again here.
        setupScripts: config.setupScripts,
        snapshotPollSeconds: sources.snapshotPollSeconds,
        ...(token !== undefined ? { token } : {}),
      },
      sources.providerOptions,
    );
  }
  await deleting;
  return stackOutputs(plan);
}
