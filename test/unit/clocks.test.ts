// Issue 12, item 8: ages are judged on the cloud's clock, so a runner or a claimer whose clock
// is off does not delete booting nodes or take over live claims.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clockOffsetMs, cloudToLocalSeconds, isoSeconds } from "../../src/core/cloud-clock.js";
import { claimDescription, claimInProvider, STALE_CLAIM_SECONDS } from "../../src/nodes/claim.js";
import type { ProviderClients } from "../../src/openstack/clients.js";
import { fakeNode, fakeNodeCloud } from "../support/node-fake-clients.js";

const CLOUD_NOW = 1_800_000_000;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, "Z");

/** A node whose port job-a claimed `age` seconds ago by the cloud's clock, its claim time on job-a's. */
function claimedNode(age: number, claimerClockOffset: number) {
  const { server, port } = fakeNode("p", "l", 1);
  port.description = claimDescription("job-a", CLOUD_NOW - age + claimerClockOffset);
  port.updated_at = iso(CLOUD_NOW - age);
  const cloud = fakeNodeCloud("p", [server], [port]);
  // The session learnt the cloud's clock from the list answers' Date headers.
  (cloud.clients as { session?: Partial<ProviderClients["session"]> }).session = {
    cloudNowSeconds: () => CLOUD_NOW,
  };
  return cloud;
}

describe("clocks (issue 12, item 8)", () => {
  it("clocks: a claimer 20 min fast does not take over a claim made a minute ago", async () => {
    const cloud = claimedNode(60, 0);
    const fast = await claimInProvider(cloud.clients, { label: "l", claimer: "fast", now: CLOUD_NOW + 1200 });
    assert.equal(fast.ok, false, "the live claim was taken over");
    assert.deepEqual(cloud.updates, []);
  });

  it("clocks: a dead claimer's lock is taken over by a claimer 20 min slow, on the cloud's clock", async () => {
    // job-a's clock was right; to the slow claimer its claim time is 9 minutes in the future.
    const cloud = claimedNode(STALE_CLAIM_SECONDS + 60, 0);
    const slow = await claimInProvider(cloud.clients, { label: "l", claimer: "slow", now: CLOUD_NOW - 1200 });
    assert.ok(slow.ok, JSON.stringify(!slow.ok && slow.error));
    assert.equal(slow.value.tookOverFrom, "job-a");
  });

  it("clocks: the offset comes from a Date header, half a second past its whole second", () => {
    const received = Date.parse("2026-12-02T08:00:10.000Z");
    assert.equal(clockOffsetMs("Wed, 02 Dec 2026 08:00:00 GMT", received), -9500);
    assert.equal(clockOffsetMs(undefined, received), undefined);
    assert.equal(clockOffsetMs("not a date", received), undefined);
    assert.equal(cloudToLocalSeconds(1000, -9500), 1010);
    assert.equal(cloudToLocalSeconds(1000, undefined), 1000);
  });

  it("clocks: OpenStack timestamps with and without a zone are UTC", () => {
    assert.equal(isoSeconds("2026-12-02T08:00:00Z"), 1796198400);
    assert.equal(isoSeconds("2026-12-02T08:00:00"), 1796198400);
    assert.equal(isoSeconds("2026-12-02T08:00:00.123456"), 1796198400);
    assert.equal(isoSeconds("2026-12-02T09:00:00+01:00"), 1796198400);
    assert.equal(isoSeconds(""), undefined);
    assert.equal(isoSeconds("garbage"), undefined);
  });
});
