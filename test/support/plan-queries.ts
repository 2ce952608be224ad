// Reading a Plan in tests: one provider's part, its actions by kind, an image's decision.
import type { Action, ActionKind, ImagePlan, Plan, PoolPlan, ProviderPlan } from "../../src/plan/types.js";

export function providerPlan(plan: Plan, provider = "hpcloud-az2"): ProviderPlan {
  const found = plan.providers.find((p) => p.provider === provider);
  if (found === undefined) throw new Error(`no plan for provider ${provider}`);
  return found;
}

export function actionsOf(plan: Plan, kind: ActionKind, provider = "hpcloud-az2"): Action[] {
  return providerPlan(plan, provider).actions.filter((a) => a.kind === kind);
}

export function targets(plan: Plan, kind: ActionKind, provider = "hpcloud-az2"): string[] {
  return actionsOf(plan, kind, provider).map((a) => a.target);
}

export function reasonFor(plan: Plan, kind: ActionKind, target: string, provider = "hpcloud-az2"): string {
  const action = actionsOf(plan, kind, provider).find((a) => a.target === target);
  if (action === undefined) throw new Error(`no ${kind} ${target} in the plan`);
  return action.reason;
}

export function imagePlan(plan: Plan, image = "devstack-precise", provider = "hpcloud-az2"): ImagePlan {
  const found = providerPlan(plan, provider).images.find((i) => i.image === image);
  if (found === undefined) throw new Error(`no image ${image} in ${provider}`);
  return found;
}

export function poolPlan(plan: Plan, label = "devstack-precise", provider = "hpcloud-az2"): PoolPlan {
  const found = providerPlan(plan, provider).pools.find((p) => p.label === label);
  if (found === undefined) throw new Error(`no pool ${label} in ${provider}`);
  return found;
}

/** Versions of the builds the plan keeps (the Pulumi program's declared builds). */
export function keptVersions(plan: Plan, image = "devstack-precise", provider = "hpcloud-az2"): number[] {
  return providerPlan(plan, provider)
    .desired.builds.filter((b) => b.image === image)
    .map((b) => b.version);
}
