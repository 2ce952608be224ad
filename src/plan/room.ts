// Who gets a provider's free room this round: due builds first (one template server each, in
// image name order), then pools, waiting requests before min-ready (capacity.ts shareDemand).
// Every server that exists counts, those deleted this round too (capacity.ts says why).
import { shareDemand, type Demand } from "./capacity.js";

export interface DueBuild<B> {
  image: string;
  build: B;
  reason: string;
}

export interface Room<B> {
  /** The builds that start: room was found for them. */
  started: DueBuild<B>[];
  /** image → why its due build waits (no room). */
  waiting: Map<string, string>;
  /** label → nodes it gets. */
  shares: Map<string, number>;
  /** Room left after all of it. */
  free: number;
}

export function allocateRoom<B>(
  maxServers: number,
  existing: number,
  due: readonly DueBuild<B>[],
  demands: readonly Demand[],
): Room<B> {
  let free = Math.max(0, maxServers - existing);
  const started: DueBuild<B>[] = [];
  const waiting = new Map<string, string>();
  for (const build of due) {
    if (free === 0) {
      waiting.set(build.image, `waiting for room (max-servers ${maxServers}; due: ${build.reason})`);
      continue;
    }
    free--;
    started.push(build);
  }
  const shares = shareDemand(free, demands);
  for (const count of shares.values()) free -= count;
  return { started, waiting, shares, free };
}
