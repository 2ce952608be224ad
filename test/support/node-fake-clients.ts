// In-memory Nova and Neutron for claim unit tests: the few calls a claim makes, with Neutron
// Zed's If-Match as it behaves under concurrency (measured on the local cloud): an update whose
// revision is stale when it starts gets 412; an update that read the revision before a
// concurrent one committed is retried by Neutron without the constraint and applies anyway.
// Each applied update bumps the revision twice and answers the first bump, as Neutron does.
import { err, ok } from "../../src/core/result.js";
import type { ProviderClients } from "../../src/openstack/clients.js";
import type { NeutronPort, PortFilters } from "../../src/openstack/neutron.js";
import type { NovaServer, ServerListOptions } from "../../src/openstack/nova.js";

export interface FakeNodeCloud {
  clients: ProviderClients;
  servers: NovaServer[];
  ports: NeutronPort[];
  /** Every port update: the revision sent and what came of it. */
  updates: { portId: string; description: unknown; expected: number; outcome: string }[];
  /** Every Nova metadata write, as sent. */
  metadataWrites: Record<string, string>[];
}

const tick = () => new Promise((done) => setImmediate(done));

export function fakeNodeCloud(provider: string, servers: NovaServer[], ports: NeutronPort[]): FakeNodeCloud {
  const updates: FakeNodeCloud["updates"] = [];
  const metadataWrites: Record<string, string>[] = [];
  const copy = <T>(value: T): T => structuredClone(value);
  const conflict = (portId: string, expected: number) =>
    err({
      kind: "conflict" as const,
      provider,
      message: "Precondition Failed",
      status: 412,
      portId,
      expectedRevision: expected,
    });
  const nova = {
    // Nova's status filter (the only one claims use); without it, every server.
    listServers: async (options: ServerListOptions = {}) => (
      await tick(),
      ok(
        servers
          .filter((s) => options.filters?.status === undefined || s.status === options.filters.status)
          .map(copy),
      )
    ),
    showServer: async (id: string) => (await tick(), ok(copy(servers.find((s) => s.id === id)))),
    setServerMetadata: async (id: string, metadata: Record<string, string>) => {
      await tick();
      metadataWrites.push({ ...metadata });
      const server = servers.find((s) => s.id === id);
      if (!server) return err({ kind: "http" as const, provider, status: 404, message: "Not Found" });
      Object.assign(server.metadata, metadata);
      return ok(copy(server.metadata));
    },
  };
  const neutron = {
    // As neutron.ts: the ports of the devices named; an empty deviceIds sends no request.
    listPorts: async (filters: PortFilters = {}) => {
      const devices =
        filters.deviceId === undefined && filters.deviceIds === undefined
          ? undefined
          : [...(filters.deviceId === undefined ? [] : [filters.deviceId]), ...(filters.deviceIds ?? [])];
      if (devices?.length === 0) return ok([]);
      await tick();
      return ok(ports.filter((p) => devices === undefined || devices.includes(p.device_id)).map(copy));
    },
    showPort: async (id: string) => (await tick(), ok(copy(ports.find((p) => p.id === id)))),
    updatePortIfRevision: async (id: string, changes: Record<string, unknown>, expected: number) => {
      const port = ports.find((p) => p.id === id)!;
      const readAtStart = port.revision_number;
      await tick();
      const record = (outcome: string) =>
        updates.push({ portId: id, description: changes.description, expected, outcome });
      if (readAtStart !== expected) {
        record("412");
        return conflict(id, expected);
      }
      // Current, or changed by a concurrent update since this one read it: applied either way.
      record(port.revision_number === expected ? "applied" : "applied by Neutron's retry");
      Object.assign(port, changes);
      const answered = port.revision_number + 1;
      port.revision_number += 2;
      return ok({ ...copy(port), revision_number: answered });
    },
  };
  const clients = { provider, nova, neutron } as unknown as ProviderClients;
  return { clients, servers, ports, updates, metadataWrites };
}

export function fakeNode(
  provider: string,
  label: string,
  i: number,
  state = "ready",
): { server: NovaServer; port: NeutronPort } {
  const id = `server-${String(i).padStart(2, "0")}`;
  return {
    server: {
      id,
      name: `${label}-${i}`,
      status: "ACTIVE",
      created: "2026-11-27T12:00:00Z",
      metadata: {
        nodepool_kind: "node",
        nodepool_provider: provider,
        nodepool_label: label,
        nodepool_state: state,
        nodepool_version: "1394514268",
      },
      addresses: { private: [{ addr: `198.51.100.${10 + i}`, version: 4 }] },
      image: { id: "image-1" },
      flavor: {},
    },
    port: {
      id: `port-${String(i).padStart(2, "0")}`,
      name: "",
      device_id: id,
      network_id: "net-1",
      revision_number: 3,
      fixed_ips: [{ ip_address: `198.51.100.${10 + i}`, subnet_id: "subnet-1" }],
      description: "",
    },
  };
}
