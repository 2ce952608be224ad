// Nova: servers (list, show, create, metadata, delete, createImage) and flavors.
// Microversion 2.79 (Zed supports up to 2.93): "networks": "none" needs 2.37, the image id in
// the createImage answer 2.45, flavor.original_name in server details 2.47.
import { err, ok, type Result } from "../core/result.js";
import type { OpenStackError } from "./errors.js";
import { absentOn404, DEFAULT_PAGE_SIZE, query, requestJson } from "./responses.js";
import type { ServiceRequest, Session } from "./session.js";

export const NOVA_MICROVERSION = "2.79";

export interface NovaAddress {
  addr: string;
  version: number;
  "OS-EXT-IPS:type"?: string;
}

export interface NovaServer {
  id: string;
  name: string;
  status: string;
  created: string;
  updated?: string;
  metadata: Record<string, string>;
  addresses: Record<string, NovaAddress[]>;
  image: { id: string } | "";
  flavor: { original_name?: string; [key: string]: unknown };
  "OS-EXT-STS:task_state"?: string | null;
  fault?: { message: string; code: number };
}

export interface NovaFlavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
}

/** The parts of Nova's absolute limits the plan reads. */
export interface NovaAbsoluteLimits {
  maxTotalInstances?: number;
  totalInstancesUsed?: number;
  maxTotalCores?: number;
  totalCoresUsed?: number;
  maxTotalRAMSize?: number;
  totalRAMUsed?: number;
}

export interface ServerListOptions {
  /** Nova's name filter is a regular expression. Metadata cannot be filtered server-side. */
  nameRegex?: string;
  /** Any other filter Nova takes (status, image, flavor, changes-since…). */
  filters?: Record<string, string>;
  pageSize?: number;
}

export interface NewServer {
  name: string;
  imageRef: string;
  flavorRef: string;
  /** "none" boots without a network (2.37); otherwise network ids. */
  networks: "none" | "auto" | string[];
  metadata?: Record<string, string>;
  keyName?: string;
  /** Base64 is done here. */
  userData?: string;
}

interface Link {
  rel: string;
  href: string;
}

const HEADERS = {
  "OpenStack-API-Version": `compute ${NOVA_MICROVERSION}`,
  "X-OpenStack-Nova-API-Version": NOVA_MICROVERSION,
};

/** The query of a `next` link, put on our own path: the href's host may be Nova's idea, not ours. */
export function nextPagePath(path: string, links: readonly Link[] | undefined): string | undefined {
  const next = links?.find((link) => link.rel === "next");
  if (!next) return undefined;
  const search = new URL(next.href, "http://placeholder").search;
  return `${path.split("?")[0]}${search}`;
}

export function novaClient(session: Session) {
  const call = <T>(request: ServiceRequest) =>
    requestJson<T>(session, "compute", { ...request, headers: { ...HEADERS, ...request.headers } });

  async function listPaged<T>(path: string, key: string): Promise<Result<T[], OpenStackError>> {
    const items: T[] = [];
    let next: string | undefined = path;
    while (next) {
      const page: Result<Record<string, unknown>, OpenStackError> = await call({ method: "GET", path: next });
      if (!page.ok) return page;
      const pageItems = (page.value[key] ?? []) as T[];
      items.push(...pageItems);
      next = pageItems.length > 0 ? nextPagePath(path, page.value[`${key}_links`] as Link[]) : undefined;
    }
    return ok(items);
  }

  const listFlavors = (pageSize = DEFAULT_PAGE_SIZE): Promise<Result<NovaFlavor[], OpenStackError>> =>
    listPaged<NovaFlavor>(`/flavors/detail${query({ limit: pageSize })}`, "flavors");

  return {
    /** Every server of the project matching the options: one request per page. */
    listServers(options: ServerListOptions = {}): Promise<Result<NovaServer[], OpenStackError>> {
      const params = {
        limit: options.pageSize ?? DEFAULT_PAGE_SIZE,
        name: options.nameRegex,
        ...options.filters,
      };
      return listPaged<NovaServer>(`/servers/detail${query(params)}`, "servers");
    },

    /**
     * Every server of the project, servers of cells that did not answer included, as partial
     * records (isPartialServer). Nova (2.69+) gives those only to a list without paging,
     * sorting or filter parameters; any other list leaves them out without a word. So the
     * first request has none: Nova pages at its own max_limit, and its next links are followed.
     * Down cells' records come on the first page, in whatever room the others leave on it.
     */
    listEveryServer(): Promise<Result<NovaServer[], OpenStackError>> {
      return listPaged<NovaServer>("/servers/detail", "servers");
    },

    async showServer(id: string): Promise<Result<NovaServer | undefined, OpenStackError>> {
      const answer = absentOn404(
        await call<{ server: NovaServer }>({ method: "GET", path: `/servers/${id}` }),
      );
      return answer.ok ? ok(answer.value?.server) : answer;
    },

    /** Boots a server and returns its id. Never retried on 5xx or reset: it could boot two. */
    async createServer(server: NewServer): Promise<Result<string, OpenStackError>> {
      const networks = Array.isArray(server.networks)
        ? server.networks.map((uuid) => ({ uuid }))
        : server.networks;
      const body = {
        server: {
          name: server.name,
          imageRef: server.imageRef,
          flavorRef: server.flavorRef,
          networks,
          ...(server.metadata ? { metadata: server.metadata } : {}),
          ...(server.keyName ? { key_name: server.keyName } : {}),
          ...(server.userData ? { user_data: Buffer.from(server.userData).toString("base64") } : {}),
        },
      };
      const answer = await call<{ server: { id: string } }>({ method: "POST", path: "/servers", json: body });
      return answer.ok ? ok(answer.value.server.id) : answer;
    },

    /** Merges keys into the server's metadata (others are kept). Safe to repeat. */
    async setServerMetadata(
      id: string,
      metadata: Record<string, string>,
    ): Promise<Result<Record<string, string>, OpenStackError>> {
      const answer = await call<{ metadata: Record<string, string> }>({
        method: "POST",
        path: `/servers/${id}/metadata`,
        json: { metadata },
        idempotent: true,
      });
      return answer.ok ? ok(answer.value.metadata) : answer;
    },

    async deleteServerMetadataKey(id: string, key: string): Promise<Result<void, OpenStackError>> {
      const answer = absentOn404(
        await session.request("compute", {
          method: "DELETE",
          path: `/servers/${id}/metadata/${encodeURIComponent(key)}`,
          headers: HEADERS,
        }),
      );
      return answer.ok ? ok(undefined) : answer;
    },

    /** Deletes the server; true when it was there, false when already gone. */
    async deleteServer(id: string): Promise<Result<boolean, OpenStackError>> {
      const answer = absentOn404(
        await session.request("compute", { method: "DELETE", path: `/servers/${id}`, headers: HEADERS }),
      );
      return answer.ok ? ok(answer.value !== undefined) : answer;
    },

    /** Snapshots the server into a new Glance image; returns the image id (2.45+). Never retried. */
    async createServerImage(
      id: string,
      name: string,
      metadata: Record<string, string> = {},
    ): Promise<Result<string, OpenStackError>> {
      const answer = await call<{ image_id?: string }>({
        method: "POST",
        path: `/servers/${id}/action`,
        json: { createImage: { name, metadata } },
      });
      if (!answer.ok) return answer;
      if (!answer.value.image_id) {
        return err({
          kind: "http",
          provider: session.provider,
          method: "POST",
          url: `/servers/${id}/action`,
          message: "createImage answered without image_id (microversion below 2.45?)",
        });
      }
      return ok(answer.value.image_id);
    },

    listFlavors,

    /**
     * The project's compute quota and what it uses (GET /limits), whoever made the servers:
     * what the plan may still ask for. A limit of -1 is no limit.
     */
    async absoluteLimits(): Promise<Result<NovaAbsoluteLimits, OpenStackError>> {
      const answer = await call<{ limits?: { absolute?: NovaAbsoluteLimits } }>({
        method: "GET",
        path: "/limits",
      });
      return answer.ok ? ok(answer.value.limits?.absolute ?? {}) : answer;
    },

    /** Nova cannot filter flavors by name: one list, matched here. */
    async findFlavorByName(name: string): Promise<Result<NovaFlavor | undefined, OpenStackError>> {
      const flavors = await listFlavors();
      return flavors.ok ? ok(flavors.value.find((flavor) => flavor.name === name)) : flavors;
    },
  };
}

export type NovaClient = ReturnType<typeof novaClient>;

/**
 * Since microversion 2.69 Nova lists a server whose cell did not answer as a partial record:
 * only id, status "UNKNOWN", tenant_id, created and links; no name, no metadata. Such a record
 * says neither whose server it is nor what state it is in; nor does an UNKNOWN status alone.
 */
export function isPartialServer(server: NovaServer): boolean {
  const metadata: unknown = (server as { metadata?: unknown }).metadata;
  return server.status === "UNKNOWN" || typeof metadata !== "object" || metadata === null;
}

/** The server's first fixed IPv4 address (else any address), as nodes are reached by. */
export function serverIp(server: Pick<NovaServer, "addresses">): string | undefined {
  const all = Object.values(server.addresses ?? {}).flat();
  const pick =
    all.find((a) => a.version === 4 && a["OS-EXT-IPS:type"] === "floating") ??
    all.find((a) => a.version === 4) ??
    all[0];
  return pick?.addr;
}
