import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveCloud, type CloudSources } from "../../src/openstack/clouds-config.js";

const CLOUDS = `
clouds:
  alpha:
    auth:
      auth_url: http://keystone.example/v3
      username: alpha-user
      project_name: alpha
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: http://keystone.example
      application_credential_id: abc123
    interface: publicURL
`;

const SECURE = `
clouds:
  alpha:
    auth:
      password: from-secure
  appcred:
    auth:
      application_credential_secret: sekrit-value
`;

function sources(files: Record<string, string>, env: Record<string, string> = {}): CloudSources {
  return { env, cwd: "/work", home: "/home/me", readFile: (path) => files[path] };
}

describe("clouds.yaml lookup", () => {
  it("merges secure.yaml into the clouds.yaml entry", () => {
    const cloud = resolveCloud(
      "alpha",
      sources({ "/work/clouds.yaml": CLOUDS, "/work/secure.yaml": SECURE }),
    );
    assert.ok(cloud.ok);
    assert.equal(cloud.value.auth.type, "password");
    assert.equal(cloud.value.auth.type === "password" && cloud.value.auth.password, "from-secure");
    assert.equal(cloud.value.regionName, "RegionOne");
    assert.equal(cloud.value.source, "/work/clouds.yaml");
  });

  it("takes OS_CLIENT_CONFIG_FILE first, then ./, ~/.config/openstack/, /etc/openstack/", () => {
    const other = CLOUDS.replace("alpha-user", "other-user");
    const files = {
      "/work/clouds.yaml": CLOUDS,
      "/elsewhere/clouds.yaml": other,
      "/home/me/.config/openstack/clouds.yaml": other.replace("other-user", "home-user"),
      "/etc/openstack/clouds.yaml": other.replace("other-user", "etc-user"),
      "/etc/openstack/secure.yaml": SECURE,
    };
    const user = (found: ReturnType<typeof resolveCloud>) =>
      found.ok ? found.value.auth.username : found.error;
    assert.equal(
      user(resolveCloud("alpha", sources(files, { OS_CLIENT_CONFIG_FILE: "/elsewhere/clouds.yaml" }))),
      "other-user",
    );
    assert.equal(user(resolveCloud("alpha", sources(files))), "alpha-user");
    const { ["/work/clouds.yaml"]: _cwd, ...noCwd } = files;
    assert.equal(user(resolveCloud("alpha", sources(noCwd))), "home-user");
    const { ["/home/me/.config/openstack/clouds.yaml"]: _home, ...onlyEtc } = noCwd;
    assert.equal(user(resolveCloud("alpha", sources(onlyEtc))), "etc-user");
  });

  it("finds a secure.yaml beside OS_CLIENT_CONFIG_FILE (the local cloud's layout)", () => {
    const files = { "/repo/.cloud/clouds.yaml": CLOUDS, "/repo/.cloud/secure.yaml": SECURE };
    const cloud = resolveCloud(
      "appcred",
      sources(files, { OS_CLIENT_CONFIG_FILE: "/repo/.cloud/clouds.yaml" }),
    );
    assert.ok(cloud.ok, cloud.ok ? "" : cloud.error);
    assert.deepEqual(cloud.value.auth, {
      type: "application_credential",
      authUrl: "http://keystone.example",
      id: "abc123",
      name: undefined,
      username: undefined,
      userId: undefined,
      userDomainName: undefined,
      userDomainId: undefined,
      secret: "sekrit-value",
    });
    assert.equal(cloud.value.interface, "public");
  });

  it("OS_CLOUD picks the entry when no name is given", () => {
    const files = { "/work/clouds.yaml": CLOUDS, "/work/secure.yaml": SECURE };
    const cloud = resolveCloud(undefined, sources(files, { OS_CLOUD: "appcred" }));
    assert.ok(cloud.ok);
    assert.equal(cloud.value.name, "appcred");
  });

  it("builds the envvars cloud from OS_* variables, app credential when a secret is set", () => {
    const password = resolveCloud(
      undefined,
      sources(
        {},
        {
          OS_AUTH_URL: "http://k/v3",
          OS_USERNAME: "u",
          OS_PASSWORD: "p4ss-word",
          OS_PROJECT_NAME: "proj",
          OS_USER_DOMAIN_NAME: "Users",
          OS_PROJECT_DOMAIN_NAME: "Projects",
          OS_REGION_NAME: "R2",
          OS_INTERFACE: "internal",
        },
      ),
    );
    assert.ok(password.ok, password.ok ? "" : password.error);
    assert.equal(password.value.name, "envvars");
    assert.equal(password.value.regionName, "R2");
    assert.equal(password.value.interface, "internal");
    assert.deepEqual(
      { ...password.value.auth },
      {
        type: "password",
        authUrl: "http://k/v3",
        username: "u",
        userId: undefined,
        userDomainName: "Users",
        userDomainId: undefined,
        password: "p4ss-word",
        projectName: "proj",
        projectId: undefined,
        projectDomainName: "Projects",
        projectDomainId: undefined,
      },
    );
    const appcred = resolveCloud(
      undefined,
      sources(
        {},
        {
          OS_AUTH_URL: "http://k/v3",
          OS_APPLICATION_CREDENTIAL_ID: "id1",
          OS_APPLICATION_CREDENTIAL_SECRET: "s3cret",
        },
      ),
    );
    assert.ok(appcred.ok);
    assert.equal(appcred.value.auth.type, "application_credential");
  });

  it("does not let OS_* variables patch a named clouds.yaml entry (as openstacksdk)", () => {
    const files = { "/work/clouds.yaml": CLOUDS, "/work/secure.yaml": SECURE };
    const cloud = resolveCloud(
      "alpha",
      sources(files, { OS_AUTH_URL: "http://other/v3", OS_PASSWORD: "env" }),
    );
    assert.ok(cloud.ok);
    assert.equal(cloud.value.auth.authUrl, "http://keystone.example/v3");
  });

  it("says where it looked when the cloud is missing, and what is incomplete", () => {
    const missing = resolveCloud("nope", sources({}));
    assert.ok(!missing.ok);
    assert.match(
      missing.error,
      /cloud "nope" not found: no clouds.yaml found \(looked in \/work\/clouds.yaml, /,
    );
    const notListed = resolveCloud("nope", sources({ "/work/clouds.yaml": CLOUDS }));
    assert.ok(!notListed.ok);
    assert.equal(notListed.error, 'cloud "nope" not found: it is not in /work/clouds.yaml');
    const noPassword = resolveCloud("alpha", sources({ "/work/clouds.yaml": CLOUDS }));
    assert.ok(!noPassword.ok);
    assert.match(noPassword.error, /has no auth.password/);
  });

  it("reports a broken secure.yaml by place, never quoting the line (it may hold a password)", () => {
    const broken = 'clouds:\n  alpha:\n    auth:\n      password: "hunter2-secret\n      other: [\n';
    const found = resolveCloud(
      "alpha",
      sources({ "/work/clouds.yaml": CLOUDS, "/work/secure.yaml": broken }),
    );
    assert.ok(!found.ok);
    assert.match(found.error, /^\/work\/secure.yaml: not valid YAML at line \d+, column \d+$/);
    assert.ok(!found.error.includes("hunter2"));
  });
});
