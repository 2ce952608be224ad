// The rules of a pool node (src/plan/node-rules.ts), and the property they exist for: what the
// inventory reads as a ready node is exactly what a claim may take, for every Nova status and
// metadata state a server can carry.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { META } from "../../src/core/metadata.js";
import { poolNodeFrom } from "../../src/openstack/inventory-mapping.js";
import type { NovaServer } from "../../src/openstack/nova.js";
import { NODE_STATES } from "../../src/plan/inventory.js";
import { hasPool, isClaimableServer, nodeState, stateWithLock } from "../../src/plan/node-rules.js";

const STATUSES = ["ACTIVE", "BUILD", "ERROR", "SHUTOFF", "REBOOT", "MIGRATING", "PAUSED", "DELETED"];
const server = (status: string, state: string | undefined, label = "l", provider = "p"): NovaServer =>
  ({
    id: "s1",
    name: "n1",
    status,
    created: "2026-12-03T00:00:00Z",
    metadata: {
      [META.kind]: "node",
      [META.provider]: provider,
      [META.label]: label,
      ...(state === undefined ? {} : { [META.state]: state }),
    },
  }) as unknown as NovaServer;

describe("node rules", () => {
  it("a server booting with a state nobody set on purpose is building; with a bogus one, failed", () => {
    assert.equal(nodeState("BUILD", undefined), "building");
    assert.equal(nodeState("BUILD", "ready"), "building");
    assert.equal(nodeState("BUILD", "bogus"), "failed");
    assert.equal(nodeState("BUILD", "in-use"), "in-use");
  });

  it("what the inventory reads as ready (or building) is exactly what a claim (or a fence) may lock", () => {
    const states = fc.option(fc.constantFrom(...NODE_STATES, "bogus", ""), { nil: undefined });
    fc.assert(
      fc.property(fc.constantFrom(...STATUSES), states, (status, state) => {
        const read = poolNodeFrom("p", server(status, state))!.state;
        assert.equal(
          isClaimableServer(server(status, state), "p", "l"),
          read === "ready",
          `${status}/${state}`,
        );
        assert.equal(
          isClaimableServer(server(status, state), "p", "l", true),
          read === "ready" || read === "building",
          `${status}/${state} while booting`,
        );
      }),
    );
  });

  it("never lets a claim take another label's or provider's node", () => {
    assert.equal(isClaimableServer(server("ACTIVE", undefined, "other"), "p", "l"), false);
    assert.equal(isClaimableServer(server("ACTIVE", undefined, "l", "q"), "p", "l"), false);
    const template = server("ACTIVE", undefined);
    template.metadata![META.kind] = "template";
    assert.equal(isClaimableServer(template, "p", "l"), false);
  });

  it("a live port lock makes a ready node in-use; a stale or absent one leaves it ready", () => {
    assert.equal(stateWithLock("ready", "claimed"), "in-use");
    assert.equal(stateWithLock("ready", "stale"), "ready");
    assert.equal(stateWithLock("ready", "free"), "ready");
    for (const state of NODE_STATES.filter((s) => s !== "ready"))
      assert.equal(stateWithLock(state, "claimed"), state, state);
  });

  it("a label has a pool where min-ready names the provider, 0 included", () => {
    assert.equal(hasPool({ minReady: { p: 0 } }, "p"), true);
    assert.equal(hasPool({ minReady: { p: 3 } }, "p"), true);
    assert.equal(hasPool({ minReady: { q: 3 } }, "p"), false);
  });
});
