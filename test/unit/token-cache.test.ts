import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { novaClient } from "../../src/openstack/nova.js";
import { Session } from "../../src/openstack/session.js";
import {
  fileTokenCache,
  tokenCacheDir,
  tokenKey,
  type CachedToken,
} from "../../src/openstack/token-cache.js";
import type { CloudAuth } from "../../src/openstack/clouds-config.js";
import { startFakeCloud, type FakeCloud } from "../support/openstack-fake.js";

const auth: CloudAuth = {
  type: "password",
  authUrl: "http://k:5000",
  username: "ci",
  password: "s3cret",
  projectName: "p",
};
const token = (value: string, renewAtMs = Date.now() + 3300_000): CachedToken => ({
  token: { value, expiresAtMs: renewAtMs + 300_000, catalog: [] },
  renewAtMs,
});

describe("token cache", () => {
  const dirs: string[] = [];
  const fakes: FakeCloud[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "tokens-"));
    dirs.push(dir);
    return join(dir, "tokens");
  };
  after(async () => {
    for (const fake of fakes) await fake.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps a token per credential, readable by its owner only", () => {
    const dir = tempDir();
    const cache = fileTokenCache(dir);
    assert.equal(cache.read(auth), undefined);
    cache.write(auth, token("t1"));
    assert.equal(cache.read(auth)?.token.value, "t1");
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const [file] = readdirSync(dir);
    assert.ok(file);
    assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600);
    assert.ok(!file.includes("ci") && !file.includes("s3cret"), "the file name is a hash");
  });

  it("keys tokens by every field of the credential, the secret included", () => {
    assert.equal(tokenKey(auth), tokenKey({ ...auth }));
    assert.notEqual(tokenKey(auth), tokenKey({ ...auth, password: "rotated" }));
    assert.notEqual(tokenKey(auth), tokenKey({ ...auth, projectName: "other" }));
    assert.notEqual(tokenKey(auth), tokenKey({ ...auth, authUrl: "http://k2:5000" }));
  });

  it("forgets a token only while it is still the one stored", () => {
    const cache = fileTokenCache(tempDir());
    cache.write(auth, token("new"));
    cache.forget(auth, "old");
    assert.equal(cache.read(auth)?.token.value, "new");
    cache.forget(auth, "new");
    assert.equal(cache.read(auth), undefined);
  });

  it("reads nothing from a file that is not a token, and never throws on an unwritable directory", () => {
    const dir = tempDir();
    const cache = fileTokenCache(dir);
    cache.write(auth, token("t"));
    const [file] = readdirSync(dir);
    rmSync(join(dir, file!));
    assert.equal(cache.read(auth), undefined);
    // A directory under a file cannot be made (ENOTDIR).
    cache.write(auth, token("t"));
    const [again] = readdirSync(dir);
    assert.doesNotThrow(() => fileTokenCache(join(dir, again!, "tokens")).write(auth, token("t")));
  });

  it("lives under XDG_CACHE_HOME or ~/.cache, or where NODEPOOL_TOKEN_CACHE says; off turns it off", () => {
    assert.equal(tokenCacheDir({}, "/home/ci"), "/home/ci/.cache/nodepool/tokens");
    assert.equal(tokenCacheDir({ XDG_CACHE_HOME: "/x" }, "/home/ci"), "/x/nodepool/tokens");
    assert.equal(tokenCacheDir({ NODEPOOL_TOKEN_CACHE: "/t" }, "/home/ci"), "/t");
    assert.equal(tokenCacheDir({ NODEPOOL_TOKEN_CACHE: "off" }, "/home/ci"), undefined);
  });

  it("lets a second process's session use the first one's token: Keystone issues one", async () => {
    const fake = await startFakeCloud();
    fakes.push(fake);
    const cache = fileTokenCache(tempDir());
    // Two sessions that share nothing in memory, as two processes would.
    for (const n of [1, 2]) {
      const session = new Session(fake.cloud(), { provider: `p${n}`, tokenCache: cache });
      const listed = await novaClient(session).listServers();
      assert.ok(listed.ok);
    }
    assert.equal(fake.tokensIssued(), 1);
  });

  it("issues a new token when the cached one is refused (401), and caches that one instead", async () => {
    let refused = "";
    const fake = await startFakeCloud({
      fault: (request) =>
        request.headers["x-auth-token"] === refused && refused !== "" ? { status: 401 } : undefined,
    });
    fakes.push(fake);
    const cache = fileTokenCache(tempDir());
    const first = new Session(fake.cloud(), { provider: "p", tokenCache: cache });
    assert.ok((await novaClient(first).listServers()).ok);
    refused = cache.read(fake.cloud().auth)!.token.value;
    const second = new Session(fake.cloud(), { provider: "p", tokenCache: cache });
    assert.ok((await novaClient(second).listServers()).ok);
    assert.equal(fake.tokensIssued(), 2);
    assert.notEqual(cache.read(fake.cloud().auth)?.token.value, refused);
  });

  it("does not use a cached token past the renewal time its issuer gave it", async () => {
    const fake = await startFakeCloud();
    fakes.push(fake);
    const cache = fileTokenCache(tempDir());
    cache.write(fake.cloud().auth, token("about-to-expire", Date.now() - 1000));
    const session = new Session(fake.cloud(), { provider: "p", tokenCache: cache });
    assert.ok((await novaClient(session).listServers()).ok);
    assert.equal(fake.tokensIssued(), 1);
    assert.notEqual(cache.read(fake.cloud().auth)?.token.value, "about-to-expire");
  });
});
