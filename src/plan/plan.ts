// plan(config, inventory, stack, now) → Plan: the whole decision of one round, pure. No I/O
// and no clock: `now` (Unix seconds) comes from the caller, so a plan can be replayed exactly.
// `stack` is the `nodepool:owner` of the stack whose round it is: it acts only on what it owns
// (ownership.ts); undefined plans for every stack at once.
import type { LoadedConfig } from "../config/definition.js";
import type { Inventory } from "./inventory.js";
import { definitionHashes } from "./definition-hashes.js";
import { planProvider } from "./provider.js";
import { byName, compareNatural } from "../core/sort.js";
import type { Plan, PlanError } from "./types.js";

export function plan(
  config: LoadedConfig,
  inventory: Inventory,
  stack: string | undefined,
  now: number,
): Plan {
  const result: Plan = {
    now,
    ...(stack !== undefined ? { stack } : {}),
    providers: [],
    unreadable: [],
    errors: [],
  };
  // Node names must be unique across every provider: they are Pulumi resource names.
  const takenNames = new Set<string>();
  for (const provider of Object.values(inventory.providers))
    if (provider.readable) for (const node of provider.nodes) takenNames.add(node.name);

  const context = { config, stack, now, takenNames, hashes: definitionHashes(config) };
  for (const provider of [...config.providers].sort(byName)) {
    const read = inventory.providers[provider.name];
    // Never delete what could not be seen: an unread provider gets no actions at all.
    if (read === undefined || !read.readable) {
      const error = read === undefined ? "missing from the inventory" : read.error;
      result.unreadable.push({ provider: provider.name, error });
      continue;
    }
    const planned = planProvider(context, provider, read);
    result.providers.push(planned.plan);
    result.errors.push(...planned.errors);
  }
  result.errors.sort(compareErrors);
  return result;
}

const compareErrors = (a: PlanError, b: PlanError) =>
  compareNatural(a.provider, b.provider) ||
  compareNatural(a.image ?? "", b.image ?? "") ||
  compareNatural(a.message, b.message);
