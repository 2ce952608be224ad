// What a rollback command changes in images.yaml, per provider, with the cloud ids a person
// (and the commit message) needs. Built from the config as read under the repository lock.
import type { PinsEdit } from "../config/edit-pins.js";
import type { Config, ImageConfig } from "../config/schema.js";
import { err, ok, type Result } from "../core/result.js";
import type { ImageBuild } from "../plan/inventory.js";
import { usage, type RollbackFailure } from "./failure.js";

export interface BuildRef {
  version: number;
  cloudImageId?: string;
}

export interface ProviderChange {
  provider: string;
  pin?: BuildRef;
  /** The version that was pinned and no longer is. */
  unpin?: number;
  reject?: BuildRef;
  /** What new nodes boot from afterwards, by the planner's rules; undefined: nothing usable. */
  nextCurrent?: BuildRef;
}

/** A provider a revert leaves alone: an earlier revert already pinned and rejected these. */
export interface AlreadyReverted {
  provider: string;
  pinned: BuildRef;
  rejected: BuildRef;
}

export type RollbackCommand = "revert" | "delete-image" | "pin" | "unpin";

export interface Rollback {
  command: RollbackCommand;
  image: string;
  changes: ProviderChange[];
  /** delete-image: the ID it was given. */
  id?: string;
  /** revert: the providers named that were already reverted, so have no change. */
  alreadyReverted?: AlreadyReverted[];
}

/** Decides the change from the config as it is when the lock is held. */
export type RollbackPlanner = (config: Config) => Result<Rollback, RollbackFailure>;

export const buildRef = (build: ImageBuild): BuildRef => ({
  version: build.version,
  cloudImageId: build.cloudImageId,
});

export function editsOf(rollback: Rollback): PinsEdit[] {
  const { image } = rollback;
  return rollback.changes.flatMap(({ provider, pin, unpin, reject }): PinsEdit[] => [
    ...(unpin !== undefined ? [{ kind: "unpin" as const, image, provider }] : []),
    ...(pin ? [{ kind: "pin" as const, image, provider, version: pin.version }] : []),
    ...(reject ? [{ kind: "reject" as const, image, provider, version: reject.version }] : []),
  ]);
}

export function findImage(config: Config, image: string): Result<ImageConfig, RollbackFailure> {
  const found = config.images.find((i) => i.name === image);
  if (found) return ok(found);
  const known = config.images.map((i) => i.name).join(", ") || "none";
  return err(usage(`no image "${image}" in images.yaml (images: ${known})`));
}

/** The providers named (each must build the image), or all of the image's providers. */
export function selectProviders(
  image: ImageConfig,
  named: readonly string[],
): Result<string[], RollbackFailure> {
  if (named.length === 0) return ok(image.providers);
  const unknown = named.filter((p) => !image.providers.includes(p));
  if (unknown.length > 0) {
    return err(
      usage(
        `${image.name} is not built in ${unknown.join(", ")} (it is built in: ${image.providers.join(", ")})`,
      ),
    );
  }
  return ok([...new Set(named)]);
}
