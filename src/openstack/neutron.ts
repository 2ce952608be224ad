// Neutron: networks by name (to boot servers on), ports by device, and the revision-checked
// port update that node claims build on (If-Match: revision_number=N → 412 when it moved on).
import { err, ok, type Result } from "../core/result.js";
import type { OpenStackError } from "./errors.js";
import { absentOn404, DEFAULT_PAGE_SIZE, query, requestJson } from "./responses.js";
import type { Session } from "./session.js";

export interface NeutronPort {
  id: string;
  name: string;
  device_id: string;
  network_id: string;
  revision_number: number;
  fixed_ips: { ip_address: string; subnet_id: string }[];
  description?: string;
  tags?: string[];
  [field: string]: unknown;
}

export interface NeutronNetwork {
  id: string;
  name: string;
}

/** The update lost a race: the port's revision is no longer the one given. */
export interface PortConflict extends OpenStackError {
  kind: "conflict";
  portId: string;
  expectedRevision: number;
}

async function listAll<T>(session: Session, path: string, key: string): Promise<Result<T[], OpenStackError>> {
  const items: T[] = [];
  let next: string | undefined = path;
  while (next) {
    const page: Result<Record<string, unknown>, OpenStackError> = await requestJson(session, "network", {
      method: "GET",
      path: next,
    });
    if (!page.ok) return page;
    const pageItems = (page.value[key] ?? []) as T[];
    items.push(...pageItems);
    const links = page.value[`${key}_links`] as { rel: string; href: string }[] | undefined;
    const href = pageItems.length > 0 ? links?.find((link) => link.rel === "next")?.href : undefined;
    next = href ? `${path.split("?")[0]}${new URL(href).search}` : undefined;
  }
  return ok(items);
}

/**
 * Device ids per port list: Neutron takes repeated device_id filters (and keeps them in its
 * next links), and 40 UUIDs, about 1.9 kB of query, stay well inside the 4 kB request line
 * that uwsgi and many proxies in front of Neutron accept by default.
 */
export const DEVICE_IDS_PER_REQUEST = 40;

export interface PortFilters {
  deviceId?: string;
  /** The ports of any of these servers; none at all, and no request, for an empty list. */
  deviceIds?: readonly string[];
  networkId?: string;
  /** Ports of this device_owner only (node requests: core/node-request.ts). */
  deviceOwner?: string;
}

async function listPortsOfDevices(
  session: Session,
  otherFilters: string,
  deviceIds: readonly string[],
): Promise<Result<NeutronPort[], OpenStackError>> {
  const ports: NeutronPort[] = [];
  for (let start = 0; start < deviceIds.length; start += DEVICE_IDS_PER_REQUEST) {
    const search = new URLSearchParams(otherFilters);
    for (const id of deviceIds.slice(start, start + DEVICE_IDS_PER_REQUEST)) search.append("device_id", id);
    const chunk = await listAll<NeutronPort>(session, `/v2.0/ports?${search}`, "ports");
    if (!chunk.ok) return chunk;
    ports.push(...chunk.value);
  }
  return ok(ports);
}

export function neutronClient(session: Session) {
  return {
    /**
     * The project's port quota and use (quota details extension), everyone's ports counted;
     * undefined when the cloud does not say (no extension, no project in the token).
     */
    async portQuota(): Promise<Result<{ limit: number; used: number } | undefined, OpenStackError>> {
      const token = await session.currentToken();
      if (!token.ok) return token;
      const project = token.value.projectId;
      if (project === undefined) return ok(undefined);
      const answer = absentOn404(
        await requestJson<{ quota?: { port?: { limit: number; used: number; reserved?: number } } }>(
          session,
          "network",
          { method: "GET", path: `/v2.0/quotas/${project}/details` },
        ),
      );
      if (!answer.ok) return answer;
      const port = answer.value?.quota?.port;
      return ok(
        port === undefined ? undefined : { limit: port.limit, used: port.used + (port.reserved ?? 0) },
      );
    },

    /** Every port matching the filters; with `deviceIds`, one list per DEVICE_IDS_PER_REQUEST. */
    listPorts(
      filters: PortFilters = {},
      pageSize = DEFAULT_PAGE_SIZE,
    ): Promise<Result<NeutronPort[], OpenStackError>> {
      const params = { limit: pageSize, network_id: filters.networkId, device_owner: filters.deviceOwner };
      if (filters.deviceId === undefined && filters.deviceIds === undefined)
        return listAll<NeutronPort>(session, `/v2.0/ports${query(params)}`, "ports");
      const deviceIds = [
        ...(filters.deviceId === undefined ? [] : [filters.deviceId]),
        ...(filters.deviceIds ?? []),
      ];
      return listPortsOfDevices(session, query(params), deviceIds);
    },

    async showPort(id: string): Promise<Result<NeutronPort | undefined, OpenStackError>> {
      const answer = absentOn404(
        await requestJson<{ port: NeutronPort }>(session, "network", {
          method: "GET",
          path: `/v2.0/ports/${id}`,
        }),
      );
      return answer.ok ? ok(answer.value?.port) : answer;
    },

    /**
     * Updates the port only if its revision is still `expectedRevision` (compare-and-swap).
     * A 412 comes back as a PortConflict value: re-read the port and decide again.
     */
    async updatePortIfRevision(
      id: string,
      changes: Partial<Pick<NeutronPort, "name" | "description" | "tags">> & Record<string, unknown>,
      expectedRevision: number,
    ): Promise<Result<NeutronPort, OpenStackError | PortConflict>> {
      const answer = await requestJson<{ port: NeutronPort }>(session, "network", {
        method: "PUT",
        path: `/v2.0/ports/${id}`,
        headers: { "If-Match": `revision_number=${expectedRevision}` },
        json: { port: changes },
        // If an answer is lost after the update applied, a retry would get a 412 and report a
        // lost race that was in fact won: let the caller re-read instead.
        idempotent: false,
      });
      if (answer.ok) return ok(answer.value.port);
      if (answer.error.kind === "conflict") {
        return err({ ...answer.error, kind: "conflict", portId: id, expectedRevision });
      }
      return answer;
    },

    /**
     * Creates a port that is only a record: no device, no address (fixed_ips []), down. Never
     * retried: a retry after a lost answer would make a second record.
     */
    async createRecordPort(fields: {
      networkId: string;
      name: string;
      description: string;
      deviceOwner: string;
    }): Promise<Result<NeutronPort, OpenStackError>> {
      const answer = await requestJson<{ port: NeutronPort }>(session, "network", {
        method: "POST",
        path: "/v2.0/ports",
        json: {
          port: {
            network_id: fields.networkId,
            name: fields.name,
            description: fields.description,
            device_owner: fields.deviceOwner,
            fixed_ips: [],
            admin_state_up: false,
          },
        },
        idempotent: false,
      });
      return answer.ok ? ok(answer.value.port) : answer;
    },

    /** Rewrites a port's description (no revision check: the writer owns the port). */
    async updatePortDescription(
      id: string,
      description: string,
    ): Promise<Result<NeutronPort | undefined, OpenStackError>> {
      const answer = absentOn404(
        await requestJson<{ port: NeutronPort }>(session, "network", {
          method: "PUT",
          path: `/v2.0/ports/${id}`,
          json: { port: { description } },
        }),
      );
      return answer.ok ? ok(answer.value?.port) : answer;
    },

    /** Deletes a port; true when it was there, false when already gone. */
    async deletePort(id: string): Promise<Result<boolean, OpenStackError>> {
      const answer = absentOn404(
        await session.request("network", { method: "DELETE", path: `/v2.0/ports/${id}` }),
      );
      return answer.ok ? ok(answer.value !== undefined) : answer;
    },

    async findNetworkByName(name: string): Promise<Result<NeutronNetwork | undefined, OpenStackError>> {
      const networks = await listAll<NeutronNetwork>(session, `/v2.0/networks${query({ name })}`, "networks");
      return networks.ok ? ok(networks.value[0]) : networks;
    },
  };
}

export type NeutronClient = ReturnType<typeof neutronClient>;
