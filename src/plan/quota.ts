// The project's compute quota as a budget for one round (issue 15): every server the cloud
// counts is in `used` (others' included), and each server this round boots takes one instance
// and its flavor's cores and RAM. The plan never asks for more than fits, so no create fails on
// a quota error. A flavor whose size is unknown counts as an instance (and its ports) only.
import type { FlavorSize, Headroom, Quota } from "./inventory.js";

type Dimension = "instances" | "cores" | "ramMb" | "ports";
const LABEL: Record<Dimension, string> = {
  instances: "instances",
  cores: "cores",
  ramMb: "RAM",
  ports: "ports",
};

/** A server as the quota sees it: its flavor, and a port per network it boots on. */
export interface ServerShape {
  flavor: string;
  networks: number;
}

export class QuotaBudget {
  private readonly left: Partial<Record<Dimension, Headroom>>;

  constructor(
    quota: Quota | undefined,
    private readonly flavors: Record<string, FlavorSize> = {},
  ) {
    this.left = structuredClone(quota ?? {});
  }

  private cost(server: ServerShape): Record<Dimension, number> {
    const size = this.flavors[server.flavor];
    return { instances: 1, cores: size?.vcpus ?? 0, ramMb: size?.ramMb ?? 0, ports: server.networks };
  }

  /** How many servers of this shape still fit (Infinity without a quota). */
  fits(server: ServerShape): number {
    const cost = this.cost(server);
    let fits = Infinity;
    for (const [dimension, room] of Object.entries(this.left) as [Dimension, Headroom][]) {
      if (cost[dimension] === 0) continue;
      fits = Math.min(fits, Math.floor(Math.max(0, room.limit - room.used) / cost[dimension]));
    }
    return fits;
  }

  take(server: ServerShape, count: number): void {
    const cost = this.cost(server);
    for (const [dimension, room] of Object.entries(this.left) as [Dimension, Headroom][])
      room.used += cost[dimension] * count;
  }

  /** The dimensions a server of this shape no longer fits in: "instances 10/10". */
  binding(server: ServerShape): string {
    const cost = this.cost(server);
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
