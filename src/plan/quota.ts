// The project's compute quota as a budget for one round (issue 15): every server the cloud
// counts is in `used` (others' included), and each server this round boots takes one instance
// and its flavor's cores and RAM. The plan never asks for more than fits, so no create fails on
// a quota error. A flavor whose size is unknown counts as an instance only.
import type { FlavorSize, Headroom, Quota } from "./inventory.js";

type Dimension = "instances" | "cores" | "ramMb";
const LABEL: Record<Dimension, string> = { instances: "instances", cores: "cores", ramMb: "RAM" };

export class QuotaBudget {
  private readonly left: Partial<Record<Dimension, Headroom>>;

  constructor(
    quota: Quota | undefined,
    private readonly flavors: Record<string, FlavorSize> = {},
  ) {
    this.left = structuredClone(quota ?? {});
  }

  private cost(flavor: string): Record<Dimension, number> {
    const size = this.flavors[flavor];
    return { instances: 1, cores: size?.vcpus ?? 0, ramMb: size?.ramMb ?? 0 };
  }

  /** How many servers of this flavor still fit (Infinity without a quota). */
  fits(flavor: string): number {
    const cost = this.cost(flavor);
    let fits = Infinity;
    for (const [dimension, room] of Object.entries(this.left) as [Dimension, Headroom][]) {
      if (cost[dimension] === 0) continue;
      fits = Math.min(fits, Math.floor(Math.max(0, room.limit - room.used) / cost[dimension]));
    }
    return fits;
  }

  take(flavor: string, count: number): void {
    const cost = this.cost(flavor);
    for (const [dimension, room] of Object.entries(this.left) as [Dimension, Headroom][])
      room.used += cost[dimension] * count;
  }

  /** The dimensions a server of this flavor no longer fits in: "instances 10/10". */
  binding(flavor: string): string {
    const cost = this.cost(flavor);
    return (Object.entries(this.left) as [Dimension, Headroom][])
      .filter(([dimension, room]) => cost[dimension] > 0 && room.limit - room.used < cost[dimension])
      .map(([dimension, room]) => describe(dimension, room))
      .join(", ");
  }

  /** Use against each limit, after what this round takes: "instances 8/10, cores 16/20". */
  headroom(): string | undefined {
    const parts = (Object.entries(this.left) as [Dimension, Headroom][]).map(([d, room]) =>
      describe(d, room),
    );
    return parts.length > 0 ? parts.join(", ") : undefined;
  }
}

const describe = (dimension: Dimension, room: Headroom) =>
  `${LABEL[dimension]} ${room.used}/${room.limit}${dimension === "ramMb" ? " MB" : ""}`;
