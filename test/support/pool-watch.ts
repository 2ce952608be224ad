// A pool as Nova shows it, for benchmarks and the demo: a provider's nodes of one run, how
// many are ready, and how long the ones seen booting took to become ACTIVE.
import { performance } from "node:perf_hooks";
import { META } from "../../src/core/metadata.js";
import type { NovaServer } from "../../src/openstack/nova.js";
import type { ProviderClients } from "../../src/openstack/clients.js";
import { must } from "./openstack-cloud.js";

export class PoolWatch {
  /** Per server id: when it was first seen, and first seen ACTIVE (performance clock, ms). */
  private readonly seen = new Map<string, { first: number; active?: number }>();

  constructor(
    private readonly clients: ProviderClients,
    private readonly provider: string,
    private readonly label?: string,
  ) {}

  async nodes(): Promise<NovaServer[]> {
    const servers = must(await this.clients.nova.listServers()).filter(
      (s) =>
        s.metadata?.[META.provider] === this.provider &&
        s.metadata[META.kind] === "node" &&
        (this.label === undefined || s.metadata[META.label] === this.label),
    );
    const now = performance.now();
    for (const s of servers) {
      const entry = this.seen.get(s.id) ?? { first: now };
      if (s.status === "ACTIVE") entry.active ??= now;
      this.seen.set(s.id, entry);
    }
    return servers;
  }

  async ready(): Promise<number> {
    return readyOf(await this.nodes()).length;
  }

  /** Seconds from first seen to first seen ACTIVE, of the servers seen booting. */
  bootSeconds(): number[] {
    return [...this.seen.values()]
      .filter((e) => e.active !== undefined && e.active > e.first)
      .map((e) => (e.active! - e.first) / 1000);
  }
}

export const readyOf = (servers: readonly NovaServer[]) =>
  servers.filter((s) => s.status === "ACTIVE" && s.metadata[META.state] === "ready");

/** Polls `probe` every 250 ms; resolves with the seconds it took. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await probe()) return (performance.now() - started) / 1000;
    if (performance.now() - started > timeoutMs)
      throw new Error(`no ${what} after ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
