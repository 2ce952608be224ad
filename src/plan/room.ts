// Who gets a provider's free room this round: due builds first (one template server each, in
// image name order), then pools, waiting requests before min-ready (capacity.ts shareDemand).
// Room is the smaller of what max-servers leaves (every server that exists counts, those
// deleted this round too: capacity.ts says why) and what the project's quota still fits
// (quota.ts: everyone's servers count there).
import { shareDemand, type Demand } from "./capacity.js";
import type { QuotaBudget, ServerShape } from "./quota.js";

type Shaped = { flavor: string; networks: readonly string[] };
const shape = (server: Shaped): ServerShape => ({ flavor: server.flavor, networks: server.networks.length });

export interface DueBuild<B extends Shaped> {
  image: string;
  build: B;
  reason: string;
}

export interface Room<B extends Shaped> {
  /** The builds that start: room was found for them. */
  started: DueBuild<B>[];
  /** image → why its due build waits (no room). */
  waiting: Map<string, string>;
  /** label → nodes it gets. */
  shares: Map<string, number>;
  /** Room max-servers leaves after all of it. */
  free: number;
  /** Set when the quota, not max-servers, held the pools back: which limits bind. */
  quotaShort?: string;
}

export function allocateRoom<B extends Shaped>(
  maxServers: number,
  existing: number,
  due: readonly DueBuild<B>[],
  demands: readonly (Demand & Shaped)[],
  quota: QuotaBudget,
): Room<B> {
  let free = Math.max(0, maxServers - existing);
  const started: DueBuild<B>[] = [];
  const waiting = new Map<string, string>();
  for (const build of due) {
    const fits = quota.fits(shape(build.build)) > 0;
    if (free === 0 || !fits) {
      const limit = free === 0 ? `max-servers ${maxServers}` : `quota: ${quota.binding(shape(build.build))}`;
      waiting.set(build.image, `waiting for room (${limit}; due: ${build.reason})`);
      continue;
    }
    free--;
    quota.take(shape(build.build), 1);
    started.push(build);
  }
  // Shared as counts, so the quota is judged by the pool that fits fewest: never more
  // than fits, at the cost of a node less when flavors differ.
  const tightest = [...demands].sort((a, b) => quota.fits(shape(a)) - quota.fits(shape(b)))[0];
  const quotaRoom = tightest === undefined ? Infinity : quota.fits(shape(tightest));
  const shares = shareDemand(Math.min(free, quotaRoom), demands);
  const wanted = demands.reduce((sum, d) => sum + d.minReadyDeficit + d.requestTimes.length, 0);
  let given = 0;
  for (const demand of demands) {
    const count = shares.get(demand.label) ?? 0;
    quota.take(shape(demand), count);
    given += count;
  }
  free -= given;
  const quotaShort =
    tightest !== undefined && quotaRoom < free + given && given < wanted
      ? quota.binding(shape(tightest)) || (quota.headroom() ?? "")
      : undefined;
  return { started, waiting, shares, free, ...(quotaShort ? { quotaShort } : {}) };
}
