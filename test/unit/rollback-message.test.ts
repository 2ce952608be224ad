// Commit messages: the subject people scan, and trailers git itself can parse back.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import type { Rollback } from "../../src/rollback/change.js";
import { commitMessage, subject } from "../../src/rollback/message.js";

const revert: Rollback = {
  command: "revert",
  image: "devstack-precise",
  changes: [
    {
      provider: "hpcloud-az2",
      pin: { version: 1394417686, cloudImageId: "387612" },
      reject: { version: 1394514268, cloudImageId: "388782" },
      nextCurrent: { version: 1394417686, cloudImageId: "387612" },
    },
    {
      provider: "rax-iad",
      pin: { version: 1394418000 },
      reject: { version: 1394515000 },
      nextCurrent: { version: 1394418000 },
    },
  ],
};

/** What `git interpret-trailers --parse` reads from the message. */
function parsedTrailers(message: string): string[] {
  return execFileSync("git", ["interpret-trailers", "--parse"], { input: message, encoding: "utf8" })
    .trim()
    .split("\n");
}

describe("commit messages", () => {
  it("a revert's subject names every provider and its version", () => {
    assert.equal(
      subject(revert),
      "Revert devstack-precise on hpcloud-az2 to 1394417686, rax-iad to 1394418000",
    );
    assert.equal(
      subject({ ...revert, changes: revert.changes.slice(0, 1) }),
      "Revert devstack-precise on hpcloud-az2 to 1394417686",
    );
  });

  it("the reason comes after the subject; trailers are the last paragraph, as git parses them", () => {
    const message = commitMessage(revert, "  tempest fails: pip cache is empty  ");
    const [head, reason] = message.split("\n\n");
    assert.equal(head, subject(revert));
    assert.equal(reason, "tempest fails: pip cache is empty");
    assert.match(
      message,
      /\n\nhpcloud-az2: new nodes boot from 1394417686\n {2}rejected 1394514268, image 388782\n {2}pinned 1394417686, image 387612\nrax-iad: new nodes boot from 1394418000\n {2}rejected 1394515000, image unknown\n/,
    );
    assert.deepEqual(parsedTrailers(message), [
      "Nodepool-Command: revert",
      "Nodepool-Rejected: devstack-precise hpcloud-az2 1394514268 388782",
      "Nodepool-Pinned: devstack-precise hpcloud-az2 1394417686 387612",
      "Nodepool-Rejected: devstack-precise rax-iad 1394515000 -",
      "Nodepool-Pinned: devstack-precise rax-iad 1394418000 -",
    ]);
  });

  it("without a reason there is no empty paragraph", () => {
    assert.doesNotMatch(commitMessage(revert), /\n\n\n/);
    assert.doesNotMatch(commitMessage(revert, "   "), /\n\n\n/);
  });

  it("delete-image, pin and unpin read as what they do", () => {
    const deleted: Rollback = {
      command: "delete-image",
      image: "devstack-precise",
      id: "5d41402a",
      changes: [{ provider: "hpcloud-az2", reject: { version: 1394514268, cloudImageId: "388782" } }],
    };
    assert.equal(
      subject(deleted),
      "Reject devstack-precise 1394514268 on hpcloud-az2 (delete-image 5d41402a)",
    );
    assert.match(
      commitMessage(deleted),
      /no ready build is left to boot new nodes from until the next build is ready/,
    );
    assert.match(commitMessage(deleted), /Nodepool-Command: delete-image 5d41402a\n/);
    const unpin: Rollback = {
      command: "unpin",
      image: "devstack-precise",
      changes: [{ provider: "hpcloud-az2", unpin: 1394417686 }],
    };
    assert.equal(subject(unpin), "Unpin devstack-precise on hpcloud-az2");
    assert.match(
      commitMessage(unpin),
      /\n\nhpcloud-az2: new nodes follow the newest ready build again\n {2}unpinned 1394417686\n\n/,
    );
  });
});
