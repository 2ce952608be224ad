// Deleting dropped nodes straight from Nova (src/nodes/delete.ts): what Nova accepted, and
// every one it did not, named by provider and node.
import assert from "node:assert/strict";
import { test } from "node:test";
import { err, ok } from "../../src/core/result.js";
import { deleteNodes } from "../../src/nodes/delete.js";
import type { ProviderClients } from "../../src/openstack/clients.js";
import { node } from "../support/plan-inventory.js";

test("deletes each node in its provider; a refusal or a provider without clients is a problem", async () => {
  const asked: string[] = [];
  const nova = {
    async deleteServer(id: string) {
      asked.push(id);
      if (id === "server-b") return err({ kind: "http" as const, status: 500, message: "Nova answered 500" });
      // Already gone counts as deleted.
      return ok(id !== "server-c");
    },
  };
  const clients = { provider: "az2", nova } as unknown as ProviderClients;
  const outcome = await deleteNodes(
    (provider) => (provider === "az2" ? ok(clients) : err("no clouds.yaml entry")),
    [
      node("a", 1, { serverId: "server-a", provider: "az2" }),
      node("b", 1, { serverId: "server-b", provider: "az2" }),
      node("c", 1, { serverId: "server-c", provider: "az2" }),
      node("d", 1, { serverId: "server-d", provider: "gra1" }),
    ],
  );
  assert.deepEqual(asked.sort(), ["server-a", "server-b", "server-c"]);
  assert.deepEqual(outcome.deleted.map((n) => n.name).sort(), ["a", "c"]);
  assert.equal(outcome.problems.length, 2);
  assert.match(outcome.problems.sort()[0]!, /^az2\/b: .*500/);
  assert.equal(outcome.problems.sort()[1], "gra1/d: no clouds.yaml entry");
});
