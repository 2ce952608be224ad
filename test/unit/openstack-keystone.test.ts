import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findEndpoint } from "../../src/openstack/catalog.js";
import { identityUrl, tokenRequestBody } from "../../src/openstack/keystone.js";

describe("Keystone token requests", () => {
  it("scopes a password token to the project, domains by name or the default one", () => {
    assert.deepEqual(
      tokenRequestBody({
        type: "password",
        authUrl: "u",
        username: "alice",
        password: "pw",
        projectName: "p",
        userDomainName: "Users",
      }),
      {
        auth: {
          identity: {
            methods: ["password"],
            password: { user: { name: "alice", domain: { name: "Users" }, password: "pw" } },
          },
          scope: { project: { name: "p", domain: { id: "default" } } },
        },
      },
    );
  });

  it("sends an application credential without a scope (it carries its own)", () => {
    assert.deepEqual(
      tokenRequestBody({ type: "application_credential", authUrl: "u", id: "ac1", secret: "s" }),
      {
        auth: {
          identity: {
            methods: ["application_credential"],
            application_credential: { secret: "s", id: "ac1" },
          },
        },
      },
    );
  });

  it("adds /v3 to a bare auth_url", () => {
    assert.equal(identityUrl("http://k:5000/"), "http://k:5000/v3");
    assert.equal(identityUrl("http://k:5000/v3/"), "http://k:5000/v3");
  });
});

describe("catalog lookup", () => {
  const catalog = [
    {
      type: "compute",
      endpoints: [
        { interface: "internal", region_id: "R1", url: "http://internal/v2.1" },
        { interface: "public", region_id: "R1", url: "http://r1/v2.1/" },
        { interface: "public", region_id: "R2", url: "http://r2/v2.1" },
      ],
    },
  ];

  it("picks by type, interface and region", () => {
    assert.deepEqual(findEndpoint(catalog, { type: "compute", interface: "public", region: "R2" }), {
      ok: true,
      value: "http://r2/v2.1",
    });
    assert.deepEqual(findEndpoint(catalog, { type: "compute", interface: "internal" }), {
      ok: true,
      value: "http://internal/v2.1",
    });
    assert.deepEqual(findEndpoint(catalog, { type: "compute", interface: "public", region: "R1" }), {
      ok: true,
      value: "http://r1/v2.1",
    });
  });

  it("says what is missing", () => {
    assert.deepEqual(findEndpoint(catalog, { type: "image", interface: "public" }), {
      ok: false,
      error: 'the catalog has no "image" service (it has: compute)',
    });
    assert.deepEqual(findEndpoint(catalog, { type: "compute", interface: "public", region: "R3" }), {
      ok: false,
      error: 'the catalog has no public "compute" endpoint in region "R3"',
    });
  });
});
