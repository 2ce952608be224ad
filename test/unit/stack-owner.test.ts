// The stack's owner (src/pulumi/stack-owner.ts): the nodepool_stack tag comes from stack
// config, never from the stack's or project's current names, and a stack without one refuses.
// The rename itself, with the real engine, is test/e2e/ownership.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { stackOwner } from "../../src/pulumi/stack-owner.js";

test("issue 12 item 3: the owner is the configured one, whatever the stack and project are called now", () => {
  assert.deepEqual(stackOwner("nodepool/prod", "nodepool-renamed/production"), {
    ok: true,
    value: "nodepool/prod",
  });
  assert.deepEqual(stackOwner("  nodepool/prod\n", "x/y"), { ok: true, value: "nodepool/prod" });
});

test("issue 12 item 3: without nodepool:owner the program refuses and names the command that fixes it", () => {
  for (const configured of [undefined, "", "   "]) {
    const owner = stackOwner(configured, "nodepool/dev");
    assert.ok(!owner.ok, `refused for ${JSON.stringify(configured)}`);
    assert.ok(owner.error.some((line) => line.includes("pulumi config set nodepool:owner nodepool/dev")));
    assert.ok(
      owner.error.some((line) => /renamed/.test(line)),
      "says what to set after a rename",
    );
  }
});

test("an owner longer than Nova keeps in metadata (255) is refused, not cut", () => {
  const owner = stackOwner("o".repeat(256), "nodepool/dev");
  assert.ok(!owner.ok);
  assert.match(owner.error[0]!, /256 characters; Nova keeps at most 255/);
  assert.ok(stackOwner("o".repeat(255), "nodepool/dev").ok);
});
