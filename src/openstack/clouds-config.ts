// Where the credentials of a cloud come from, the way the openstack CLI (openstacksdk) finds
// them: one clouds.yaml (OS_CLIENT_CONFIG_FILE, then ./clouds.yaml,
// ~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml; the first that exists wins),
// deep-merged with one secure.yaml found the same way, plus a cloud named "envvars" made of the
// OS_* variables. Pure apart from the injected file reader, so precedence is unit-tested.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { err, ok, type Result } from "../core/result.js";

export interface PasswordAuth {
  type: "password";
  authUrl: string;
  username?: string;
  userId?: string;
  password: string;
  userDomainName?: string;
  userDomainId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
}

export interface ApplicationCredentialAuth {
  type: "application_credential";
  authUrl: string;
  id?: string;
  /** With a name instead of an id, Keystone also needs the user. */
  name?: string;
  username?: string;
  userId?: string;
  userDomainName?: string;
  userDomainId?: string;
  secret: string;
}

export type CloudAuth = PasswordAuth | ApplicationCredentialAuth;

export interface CloudConfig {
  /** The clouds.yaml entry name ("envvars" for OS_* variables). */
  name: string;
  auth: CloudAuth;
  regionName?: string;
  /** Catalog interface: public (default), internal or admin. */
  interface: string;
  /** Where it was found, for messages: a file path or "environment". */
  source: string;
}

export type Env = Record<string, string | undefined>;

export interface CloudSources {
  env: Env;
  cwd: string;
  home: string;
  readFile: (path: string) => string | undefined;
}

/** The name of the cloud built from OS_* variables, as openstacksdk calls it. */
export const ENV_CLOUD = "envvars";

export function configSearchPaths(fileName: "clouds.yaml" | "secure.yaml", sources: CloudSources): string[] {
  const override = fileName === "clouds.yaml" ? "OS_CLIENT_CONFIG_FILE" : "OS_CLIENT_SECURE_FILE";
  const paths: string[] = [];
  const explicit = sources.env[override];
  if (explicit) paths.push(resolve(sources.cwd, explicit));
  // Our addition: a secure.yaml beside an OS_CLIENT_CONFIG_FILE is found too, so pointing that one
  // variable at .cloud/clouds.yaml is enough for the local cloud.
  const configFile = sources.env.OS_CLIENT_CONFIG_FILE;
  if (fileName === "secure.yaml" && configFile)
    paths.push(join(dirname(resolve(sources.cwd, configFile)), fileName));
  paths.push(
    join(sources.cwd, fileName),
    join(sources.home, ".config", "openstack", fileName),
    join("/etc", "openstack", fileName),
  );
  return paths;
}

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** secure.yaml values win over clouds.yaml ones, key by key, at every depth. */
export function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isTree(current) && isTree(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function readYamlTree(path: string, sources: CloudSources): Result<Tree | undefined, string> {
  const text = sources.readFile(path);
  if (text === undefined) return ok(undefined);
  try {
    const parsed: unknown = parseYaml(text);
    return ok(isTree(parsed) ? parsed : {});
  } catch (error) {
    // The parser's message quotes the offending line, which may hold a password: give the place only.
    const where = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    const at = where ? ` at line ${where.line}, column ${where.col}` : "";
    return err(`${path}: not valid YAML${at}`);
  }
}

/** The first existing file of the search path, parsed; undefined when none exists. */
function firstFile(
  fileName: "clouds.yaml" | "secure.yaml",
  sources: CloudSources,
): Result<{ path: string; clouds: Tree } | undefined, string> {
  for (const path of configSearchPaths(fileName, sources)) {
    const tree = readYamlTree(path, sources);
    if (!tree.ok) return tree;
    if (tree.value !== undefined) {
      const clouds = tree.value.clouds;
      return ok({ path, clouds: isTree(clouds) ? clouds : {} });
    }
  }
  return ok(undefined);
}

const str = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined;

/** Maps one clouds.yaml entry (already merged with secure.yaml) to a CloudConfig. */
export function cloudFromEntry(name: string, entry: Tree, source: string): Result<CloudConfig, string> {
  const auth = isTree(entry.auth) ? entry.auth : {};
  const authType = (str(entry.auth_type) ?? "password").replace(/^v3/, "").replace(/-/g, "_");
  const authUrl = str(auth.auth_url);
  if (!authUrl) return err(`cloud "${name}" (${source}) has no auth.auth_url`);
  const domainName = str(auth.domain_name);
  const domainId = str(auth.domain_id);
  const common = {
    authUrl,
    username: str(auth.username),
    userId: str(auth.user_id),
    userDomainName: str(auth.user_domain_name) ?? domainName,
    userDomainId: str(auth.user_domain_id) ?? domainId,
  };
  let cloudAuth: CloudAuth;
  if (authType === "applicationcredential" || authType === "application_credential") {
    const secret = str(auth.application_credential_secret);
    const id = str(auth.application_credential_id);
    const credentialName = str(auth.application_credential_name);
    if (!secret || (!id && !credentialName)) {
      return err(`cloud "${name}" (${source}): application credential needs an id (or name) and a secret`);
    }
    cloudAuth = { type: "application_credential", ...common, id, name: credentialName, secret };
  } else if (authType === "password") {
    const password = str(auth.password);
    if (!password) return err(`cloud "${name}" (${source}) has no auth.password (nor in secure.yaml)`);
    if (!common.username && !common.userId) return err(`cloud "${name}" (${source}) has no auth.username`);
    cloudAuth = {
      type: "password",
      ...common,
      password,
      projectName: str(auth.project_name) ?? str(auth.tenant_name),
      projectId: str(auth.project_id) ?? str(auth.tenant_id),
      projectDomainName: str(auth.project_domain_name) ?? domainName,
      projectDomainId: str(auth.project_domain_id) ?? domainId,
    };
  } else {
    return err(`cloud "${name}" (${source}): auth_type "${String(entry.auth_type)}" is not supported`);
  }
  const regions = Array.isArray(entry.regions) ? entry.regions : [];
  const firstRegion = regions.map((r) => (isTree(r) ? str(r.name) : str(r))).find(Boolean);
  return ok({
    name,
    auth: cloudAuth,
    regionName: str(entry.region_name) ?? firstRegion,
    interface: normalizeInterface(str(entry.interface) ?? str(entry.endpoint_type)),
    source,
  });
}

/** "publicURL" (old style) and "public" mean the same. */
export function normalizeInterface(value: string | undefined): string {
  return (value ?? "public").replace(/URL$/, "");
}

/** The clouds.yaml-shaped entry the OS_* variables describe, or undefined when OS_AUTH_URL is unset. */
export function entryFromEnv(env: Env): Tree | undefined {
  if (!env.OS_AUTH_URL) return undefined;
  const auth: Tree = {};
  const names: Record<string, string> = {
    OS_AUTH_URL: "auth_url",
    OS_USERNAME: "username",
    OS_USER_ID: "user_id",
    OS_PASSWORD: "password",
    OS_PROJECT_NAME: "project_name",
    OS_TENANT_NAME: "project_name",
    OS_PROJECT_ID: "project_id",
    OS_USER_DOMAIN_NAME: "user_domain_name",
    OS_USER_DOMAIN_ID: "user_domain_id",
    OS_PROJECT_DOMAIN_NAME: "project_domain_name",
    OS_PROJECT_DOMAIN_ID: "project_domain_id",
    OS_DOMAIN_NAME: "domain_name",
    OS_APPLICATION_CREDENTIAL_ID: "application_credential_id",
    OS_APPLICATION_CREDENTIAL_NAME: "application_credential_name",
    OS_APPLICATION_CREDENTIAL_SECRET: "application_credential_secret",
  };
  for (const [variable, key] of Object.entries(names)) {
    if (env[variable] && auth[key] === undefined) auth[key] = env[variable];
  }
  const entry: Tree = { auth };
  const authType =
    env.OS_AUTH_TYPE ?? (env.OS_APPLICATION_CREDENTIAL_SECRET ? "v3applicationcredential" : "password");
  entry.auth_type = authType;
  if (env.OS_REGION_NAME) entry.region_name = env.OS_REGION_NAME;
  if (env.OS_INTERFACE) entry.interface = env.OS_INTERFACE;
  return entry;
}

/**
 * The cloud called `name`; without a name, OS_CLOUD's, else the OS_* variables' one. A named
 * entry of clouds.yaml is used as written: like openstacksdk, OS_* variables do not patch it.
 */
export function resolveCloud(name: string | undefined, sources: CloudSources): Result<CloudConfig, string> {
  const wanted = name ?? sources.env.OS_CLOUD ?? ENV_CLOUD;
  const cloudsFile = firstFile("clouds.yaml", sources);
  if (!cloudsFile.ok) return cloudsFile;
  const secureFile = firstFile("secure.yaml", sources);
  if (!secureFile.ok) return secureFile;
  const entry = cloudsFile.value?.clouds[wanted];
  if (isTree(entry)) {
    const secure = secureFile.value?.clouds[wanted];
    const merged = isTree(secure) ? deepMerge(entry, secure) : entry;
    return cloudFromEntry(wanted, merged, cloudsFile.value?.path ?? "clouds.yaml");
  }
  const fromEnv = wanted === ENV_CLOUD ? entryFromEnv(sources.env) : undefined;
  if (fromEnv) return cloudFromEntry(ENV_CLOUD, fromEnv, "environment (OS_* variables)");
  const looked = cloudsFile.value
    ? `it is not in ${cloudsFile.value.path}`
    : `no clouds.yaml found (looked in ${configSearchPaths("clouds.yaml", sources).join(", ")})`;
  return err(`cloud "${wanted}" not found: ${looked}`);
}

/** The sources of this process: its environment, working directory and home. */
export function processCloudSources(): CloudSources {
  return { env: process.env, cwd: process.cwd(), home: homedir(), readFile: readTextIfExists };
}

function readTextIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
