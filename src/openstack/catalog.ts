// Picking a service's URL out of the Keystone catalog: by type, interface and region.
import { err, ok, type Result } from "../core/result.js";

export interface CatalogEndpoint {
  interface: string;
  region_id?: string;
  region?: string;
  url: string;
}

export interface CatalogService {
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}

export interface EndpointQuery {
  type: string;
  interface: string;
  /** Unset: any region (the first endpoint of the interface). */
  region?: string;
}

export function findEndpoint(
  catalog: readonly CatalogService[],
  query: EndpointQuery,
): Result<string, string> {
  const services = catalog.filter((service) => service.type === query.type);
  if (services.length === 0) {
    const types = [...new Set(catalog.map((service) => service.type))].sort().join(", ");
    return err(`the catalog has no "${query.type}" service (it has: ${types || "nothing"})`);
  }
  for (const service of services) {
    const endpoint = service.endpoints.find(
      (e) =>
        e.interface === query.interface &&
        (query.region === undefined || e.region_id === query.region || e.region === query.region),
    );
    if (endpoint) return ok(endpoint.url.replace(/\/+$/, ""));
  }
  const where = query.region ? ` in region "${query.region}"` : "";
  return err(`the catalog has no ${query.interface} "${query.type}" endpoint${where}`);
}
