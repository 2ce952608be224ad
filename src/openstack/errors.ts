// Every failure of a cloud call is one of these values: it names the provider, the request and
// what the service said, so a message is useful without a debugger. Secrets never enter it:
// request bodies and headers are never copied in, and redact() scrubs known secrets anyway.

export type OpenStackErrorKind =
  /** clouds.yaml / OS_* variables missing or incomplete: nothing was sent. */
  | "config"
  /** Keystone refused the credentials (401) or the token could not be issued. */
  | "auth"
  /** The service answered with an error status. */
  | "http"
  /** If-Match precondition failed (412): somebody changed the resource first. */
  | "conflict"
  /** No answer in time (per-request timeout or the caller's deadline). */
  | "timeout"
  /** Connection refused, reset, DNS failure: the service was not reached or hung up. */
  | "network"
  /** The catalog has no endpoint for that service type, interface and region. */
  | "endpoint";

export interface OpenStackError {
  kind: OpenStackErrorKind;
  provider: string;
  /** What was attempted: "GET http://…/v2/images". Absent for config errors. */
  method?: string;
  url?: string;
  status?: number;
  /** The service's own message, or what went wrong locally. */
  message: string;
  /** Attempts made (retries included). */
  attempts?: number;
}

/** One line: "hpcloud-az2: GET http://…/servers/detail: 503 Service Unavailable: <message>". */
export function formatOpenStackError(error: OpenStackError): string {
  const request = error.method && error.url ? `${error.method} ${error.url}: ` : "";
  const label = error.status !== undefined ? `${error.status} ${statusText(error.status)}` : "";
  const detail =
    label && error.message !== statusText(error.status ?? 0)
      ? `${label}: ${error.message}`
      : label || error.message;
  const tries = error.attempts && error.attempts > 1 ? ` (after ${error.attempts} attempts)` : "";
  return `${error.provider}: ${request}${detail}${tries}`;
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Request Entity Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export const statusText = (status: number): string => STATUS_TEXT[status] ?? `HTTP ${status}`;

/** Replaces every occurrence of each secret (password, app credential secret, token) by "***". */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    // Very short "secrets" would shred ordinary words; real ones are never that short.
    if (secret && secret.length >= 4) out = out.split(secret).join("***");
  }
  return out;
}

/** Pulls the human message out of the error bodies the services send. */
export function serviceMessage(body: string, statusText: string): string {
  const trimmed = body.trim();
  if (!trimmed) return statusText;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    const found = findMessage(parsed);
    if (found) return found;
  } catch {
    // Not JSON (Glance sometimes answers HTML or plain text): fall through.
  }
  const text = trimmed
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text || statusText;
}

function findMessage(value: unknown, depth = 0): string | undefined {
  if (depth > 3 || typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  for (const key of ["message", "faultstring", "detail", "title"]) {
    if (typeof record[key] === "string" && record[key]) return record[key];
  }
  // Nova: {"itemNotFound": {"message": …}}; Keystone: {"error": {"message": …}};
  // Neutron: {"NeutronError": {"message": …}}.
  for (const nested of Object.values(record)) {
    const found = findMessage(nested, depth + 1);
    if (found) return found;
  }
  return undefined;
}
