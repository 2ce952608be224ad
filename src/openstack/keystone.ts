// Keystone v3: issue a project-scoped token with a password or an application credential.
import { err, ok, type Result } from "../core/result.js";
import type { CatalogService } from "./catalog.js";
import type { CloudAuth } from "./clouds-config.js";
import type { OpenStackError } from "./errors.js";
import { parseJson, sendRequest, type HttpContext } from "./http.js";

export interface Token {
  value: string;
  /** Milliseconds since the epoch. */
  expiresAtMs: number;
  catalog: CatalogService[];
  projectId?: string;
}

/** The Keystone v3 URL: clouds.yaml often gives the bare service root. */
export function identityUrl(authUrl: string): string {
  const trimmed = authUrl.replace(/\/+$/, "");
  return /\/v3$/.test(trimmed) ? trimmed : `${trimmed}/v3`;
}

const domain = (name?: string, id?: string) => (id ? { id } : name ? { name } : { id: "default" });

/** The body of POST /v3/auth/tokens. */
export function tokenRequestBody(auth: CloudAuth): unknown {
  if (auth.type === "application_credential") {
    const credential: Record<string, unknown> = { secret: auth.secret };
    if (auth.id) credential.id = auth.id;
    else {
      credential.name = auth.name;
      credential.user = auth.userId
        ? { id: auth.userId }
        : { name: auth.username, domain: domain(auth.userDomainName, auth.userDomainId) };
    }
    // An application credential carries its own project scope: no "scope" allowed.
    return {
      auth: { identity: { methods: ["application_credential"], application_credential: credential } },
    };
  }
  const user = auth.userId
    ? { id: auth.userId, password: auth.password }
    : {
        name: auth.username,
        domain: domain(auth.userDomainName, auth.userDomainId),
        password: auth.password,
      };
  const project = auth.projectId
    ? { id: auth.projectId }
    : auth.projectName
      ? { name: auth.projectName, domain: domain(auth.projectDomainName, auth.projectDomainId) }
      : undefined;
  return {
    auth: {
      identity: { methods: ["password"], password: { user } },
      ...(project ? { scope: { project } } : {}),
    },
  };
}

interface TokenBody {
  token: { expires_at: string; catalog?: CatalogService[]; project?: { id: string } };
}

export async function issueToken(
  auth: CloudAuth,
  context: HttpContext,
): Promise<Result<Token, OpenStackError>> {
  const url = `${identityUrl(auth.authUrl)}/auth/tokens`;
  // Issuing a token changes nothing worth protecting: safe to retry.
  const response = await sendRequest(
    { method: "POST", url, json: tokenRequestBody(auth), idempotent: true },
    context,
  );
  if (!response.ok) {
    const error = response.error;
    return err(
      error.status === 401
        ? { ...error, kind: "auth", message: `Keystone refused the credentials: ${error.message}` }
        : error,
    );
  }
  const where = { provider: context.provider, method: "POST", url };
  const value = response.value.headers.get("x-subject-token");
  if (!value) return err({ ...where, kind: "auth", message: "Keystone answered without an X-Subject-Token" });
  const body = parseJson<TokenBody>(response.value, where);
  if (!body.ok) return body;
  const expiresAtMs = Date.parse(body.value.token.expires_at);
  return ok({
    value,
    expiresAtMs: Number.isNaN(expiresAtMs) ? Date.now() + 3600_000 : expiresAtMs,
    catalog: body.value.token.catalog ?? [],
    projectId: body.value.token.project?.id,
  });
}
