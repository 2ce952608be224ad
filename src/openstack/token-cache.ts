// Keystone tokens shared by every nodepool process of one user: each CLI call, each round's
// program and each snapshot step used to issue its own token, and under load Keystone's token
// issue is the slowest call a claim makes (docs/decisions.md, "Tokens are cached on disk").
// One file per credential, named by a hash of everything that scopes the token (the secret
// included, so a rotated password never finds the old token), mode 0600 in a 0700 directory.
// The cache is only an accelerator: any failure to read or write it just issues a token.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CloudAuth, CloudSources } from "./clouds-config.js";
import type { Token } from "./keystone.js";

export const TOKEN_CACHE_ENV = "NODEPOOL_TOKEN_CACHE";

/** A token and when its issuer meant to renew it (renewal is decided when it is issued). */
export interface CachedToken {
  token: Token;
  renewAtMs: number;
}

export interface TokenCache {
  read(auth: CloudAuth): CachedToken | undefined;
  write(auth: CloudAuth, entry: CachedToken): void;
  /** Drop the stored token if it is still this one (Keystone refused it). */
  forget(auth: CloudAuth, value: string): void;
}

/** The file name of a credential's token: a hash, so the file names no user or project. */
export function tokenKey(auth: CloudAuth): string {
  return createHash("sha256")
    .update(JSON.stringify(auth, Object.keys(auth).sort()))
    .digest("hex")
    .slice(0, 32);
}

/**
 * Where this process keeps tokens: NODEPOOL_TOKEN_CACHE (a directory, or "off"), else
 * $XDG_CACHE_HOME/nodepool/tokens, else ~/.cache/nodepool/tokens.
 */
export function tokenCacheDir(env: Record<string, string | undefined>, home: string): string | undefined {
  const chosen = env[TOKEN_CACHE_ENV];
  if (chosen === "off" || chosen === "0" || chosen === "false") return undefined;
  if (chosen) return chosen;
  return join(env["XDG_CACHE_HOME"] || join(home, ".cache"), "nodepool", "tokens");
}

function isCachedToken(value: unknown): value is CachedToken {
  const entry = value as Partial<CachedToken> | null;
  const token = entry?.token as Partial<Token> | undefined;
  return (
    typeof entry?.renewAtMs === "number" &&
    typeof token === "object" &&
    token !== null &&
    typeof token.value === "string" &&
    typeof token.expiresAtMs === "number" &&
    Array.isArray(token.catalog)
  );
}

export function fileTokenCache(dir: string): TokenCache {
  const path = (auth: CloudAuth) => join(dir, `${tokenKey(auth)}.json`);
  const read = (auth: CloudAuth): CachedToken | undefined => {
    try {
      const parsed: unknown = JSON.parse(readFileSync(path(auth), "utf8"));
      return isCachedToken(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    read,
    write(auth, entry) {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        // Written aside and renamed: a reader sees the old token or the new one, never half.
        const temporary = join(dir, `.${randomBytes(6).toString("hex")}.tmp`);
        writeFileSync(temporary, JSON.stringify(entry), { mode: 0o600 });
        renameSync(temporary, path(auth));
      } catch {
        // Not cached: the next process issues its own token.
      }
    },
    forget(auth, value) {
      if (read(auth)?.token.value === value) rmSync(path(auth), { force: true });
    },
  };
}

/** The cache of the process's world (its environment and home), or none when turned off. */
export function processTokenCache(sources: CloudSources): TokenCache | undefined {
  const dir = tokenCacheDir(sources.env, sources.home);
  return dir ? fileTokenCache(dir) : undefined;
}
