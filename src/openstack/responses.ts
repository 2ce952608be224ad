// Shared helpers to turn a service's answer into typed values.
import { ok, type Result } from "../core/result.js";
import type { OpenStackError } from "./errors.js";
import { parseJson } from "./http.js";
import type { ServiceRequest, ServiceType, Session } from "./session.js";

/** Sends a request and parses its JSON answer. */
export async function requestJson<T>(
  session: Session,
  service: ServiceType,
  request: ServiceRequest,
): Promise<Result<T, OpenStackError>> {
  const response = await session.request(service, request);
  if (!response.ok) return response;
  const where = {
    provider: session.provider,
    method: request.method,
    url: request.path,
    status: response.value.status,
  };
  return parseJson<T>(response.value, where);
}

/** A 404 on a show or delete means "not there": a value, not an error. */
export function absentOn404<T>(result: Result<T, OpenStackError>): Result<T | undefined, OpenStackError> {
  if (!result.ok && result.error.status === 404) return ok(undefined);
  return result;
}

/** Query string from defined values only. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** The default page size of list calls: the usual server-side maximum (Glance, Nova, Neutron). */
export const DEFAULT_PAGE_SIZE = 1000;
