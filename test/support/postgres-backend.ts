// A Pulumi PostgreSQL DIY state backend for one test run: a database of its own in the local
// cloud's PostgreSQL (127.0.0.1:5433, user postgres, trust auth: docs/local-cloud.md), made
// through Debian's `psql`, and dropped again by the run. docs/state-backend.md describes the
// backend; this file only knows where it keeps its rows (the `pulumi_state` table).
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";

export const LOCAL_POSTGRES = { host: "127.0.0.1", port: 5433, user: "postgres" } as const;

/** Every database made here is named `<prefix><base36 ms since epoch>_<pid>_<random hex>`. */
const NAME_PREFIX = "nodepool_state_";
const NAME_PATTERN = /^nodepool_state_([0-9a-z]+)_\d+_[0-9a-f]+$/;
/** Databases of this kind older than this are a killed run's leftovers (no run lasts an hour). */
const STALE_AFTER_MS = 6 * 60 * 60_000;

/** Runs one SQL text with psql against a database of the local cluster; resolves its stdout. */
export function psql(database: string, sql: string, timeoutMs = 30_000): Promise<string> {
  const { host, port, user } = LOCAL_POSTGRES;
  const args = ["-h", host, "-p", String(port), "-U", user, "-d", database];
  args.push("-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql);
  const env = { ...process.env, PGCONNECT_TIMEOUT: "5", PGOPTIONS: "--client-min-messages=warning" };
  return new Promise((resolve, reject) => {
    execFile("psql", args, { env, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`psql -d ${database} -c ${JSON.stringify(sql)}: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** A JSON value from one SQL query that returns a single json column (one row). */
async function queryJson<T>(database: string, sql: string): Promise<T> {
  return JSON.parse((await psql(database, sql)).trim()) as T;
}

/** Why the local PostgreSQL can't be used here, or undefined when it answers. */
export async function postgresProblem(): Promise<string | undefined> {
  try {
    await psql("postgres", "select 1", 10_000);
    return undefined;
  } catch (error) {
    const { host, port } = LOCAL_POSTGRES;
    return `PostgreSQL on ${host}:${port} does not answer through psql (run \`npm run cloud:up\`): ${String(error)}`;
  }
}

/** The owner of a DIY backend lock, as the engine writes it (lockContent in Pulumi's diy/lock.go). */
export interface LockHolder {
  pid: number;
  username: string;
  hostname: string;
  timestamp: string;
}

export interface StateRow {
  /** `<database>/.pulumi/...`: the backend prefixes every key with the URL's path. */
  key: string;
  updatedAt: string;
}

export interface PostgresBackend {
  database: string;
  /** For `pulumi login`: postgres://postgres@127.0.0.1:5433/<database>?sslmode=disable */
  url: string;
  /** The backend's rows (`pulumi_state`; none before the first `pulumi login` made the table). */
  rows(): Promise<StateRow[]>;
  /** The stack locks held now, with what each names as its holder. */
  locks(): Promise<{ key: string; holder: LockHolder }[]>;
  /** Writes a lock row as a machine that died during an update leaves it. */
  plantLock(project: string, stack: string, holder: LockHolder): Promise<string>;
  /** Drops the database (closing any connection left to it); safe to call twice. */
  drop(): Promise<void>;
}

/** True when the local cluster has a database of that name. */
export async function databaseExists(name: string): Promise<boolean> {
  const found = await psql("postgres", `select count(*) from pg_database where datname = '${name}'`);
  return found.trim() === "1";
}

/** Drops this module's databases that are older than STALE_AFTER_MS (a killed run's). */
export async function dropStaleBackends(now = Date.now()): Promise<string[]> {
  const names = await queryJson<string[]>(
    "postgres",
    `select coalesce(json_agg(datname), '[]') from pg_database where datname like '${NAME_PREFIX}%'`,
  );
  const stale = names.filter((name) => {
    const match = NAME_PATTERN.exec(name);
    return match !== null && now - parseInt(match[1]!, 36) > STALE_AFTER_MS;
  });
  for (const name of stale) await psql("postgres", `drop database if exists "${name}" with (force)`);
  return stale;
}

/**
 * Creates an empty database with a name no other run (parallel or earlier) can have, and
 * returns its backend URL. The engine makes its table itself on `pulumi login`.
 */
export async function createPostgresBackend(): Promise<PostgresBackend> {
  await dropStaleBackends();
  const database = `${NAME_PREFIX}${Date.now().toString(36)}_${process.pid}_${randomBytes(4).toString("hex")}`;
  await psql("postgres", `create database "${database}"`);
  const { host, port, user } = LOCAL_POSTGRES;
  const tableThere = async () =>
    (await psql(database, "select to_regclass('pulumi_state') is not null")).trim() === "t";
  let dropped = false;
  return {
    database,
    url: `postgres://${user}@${host}:${port}/${database}?sslmode=disable`,
    async rows() {
      if (!(await tableThere())) return [];
      return queryJson<StateRow[]>(
        database,
        `select coalesce(json_agg(json_build_object('key', key, 'updatedAt', updated_at) order by key), '[]')
           from pulumi_state`,
      );
    },
    async locks() {
      if (!(await tableThere())) return [];
      const rows = await queryJson<{ key: string; holder: string }[]>(
        database,
        `select coalesce(json_agg(json_build_object(
                  'key', key, 'holder', convert_from(decode(data->>'data', 'base64'), 'UTF8')) order by key), '[]')
           from pulumi_state where key like '%/.pulumi/locks/%'`,
      );
      return rows.map((row) => ({ key: row.key, holder: JSON.parse(row.holder) as LockHolder }));
    },
    async plantLock(project, stack, holder) {
      // The layout of Pulumi's DIY backend (project-scoped stacks): the default org is "organization".
      const key = `${database}/.pulumi/locks/organization/${project}/${stack}/${randomUUID()}.json`;
      const data = Buffer.from(JSON.stringify(holder)).toString("base64");
      await psql(
        database,
        `insert into pulumi_state (key, data) values ('${key}', json_build_object('data', '${data}'))`,
      );
      return key;
    },
    async drop() {
      if (dropped) return;
      await psql("postgres", `drop database if exists "${database}" with (force)`);
      dropped = true;
    },
  };
}
