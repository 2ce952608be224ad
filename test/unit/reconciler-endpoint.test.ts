// The reconciler's endpoint (GET /healthz, POST /look) and the poke jobs send it, on a real
// HTTP server on 127.0.0.1; and the loop's answer to a poke: the look interval ends at once.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import type { LoadedConfig } from "../../src/config/definition.js";
import type { Plan } from "../../src/plan/types.js";
import { serveHealth } from "../../src/reconciler/health.js";
import { pokeReconciler } from "../../src/cli/poke-reconciler.js";
import { MIN_LOOK_SPACING_MS, Reconciler, type ReconcilerStatus } from "../../src/reconciler/reconciler.js";

const status = { healthy: true } as ReconcilerStatus;

test("POST /look pokes; GET /look is refused; GET /healthz answers as before", async () => {
  let pokes = 0;
  const listening = await serveHealth(
    { host: "127.0.0.1", port: 0 },
    () => status,
    () => pokes++,
  );
  try {
    const base = `http://${listening.address}`;
    const posted = await fetch(`${base}/look`, { method: "POST", body: "ignored" });
    assert.equal(posted.status, 202);
    assert.deepEqual(await posted.json(), { looking: true });
    assert.equal((await fetch(`${base}/look`)).status, 405);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal(pokes, 1);
  } finally {
    await listening.close();
  }
});

test("pokeReconciler: POSTs /look where NODEPOOL_RECONCILER_URL says, nothing when unset", async () => {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    response.writeHead(202).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  try {
    await pokeReconciler({});
    await pokeReconciler({ NODEPOOL_RECONCILER_URL: `http://127.0.0.1:${port}` });
    await pokeReconciler({ NODEPOOL_RECONCILER_URL: `http://127.0.0.1:${port}/` });
    assert.deepEqual(seen, ["POST /look", "POST /look"]);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test("pokeReconciler: a reconciler that does not answer costs a job at most 0.5 s, and no error", async () => {
  // Accepts the connection, never answers.
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const started = Date.now();
    await pokeReconciler({ NODEPOOL_RECONCILER_URL: `http://127.0.0.1:${port}` });
    assert.ok(Date.now() - started < 3000, "gave up after its timeout");
    await pokeReconciler({ NODEPOOL_RECONCILER_URL: "not a url" });
    await pokeReconciler({ NODEPOOL_RECONCILER_URL: "http://127.0.0.1:1" });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const idlePlan: Plan = { now: 0, providers: [], unreadable: [], errors: [] };

test("a poke ends the look interval at once, but looks stay 0.5 s apart", { timeout: 10_000 }, async () => {
  let clock = 0;
  const looks: number[] = [];
  const sleeps: { ms: number; woken: boolean }[] = [];
  const stop = new AbortController();
  const reconciler: Reconciler = new Reconciler(
    {
      source: {
        applied: { commit: "c1", config: {} as LoadedConfig },
        async sync() {
          return { kind: "unchanged" };
        },
      },
      rounds: {
        async run() {
          throw new Error("no round expected");
        },
      },
      async look() {
        looks.push(clock);
        if (looks.length === 1) setImmediate(() => reconciler.poke());
        if (looks.length === 2) reconciler.poke();
        if (looks.length === 3) stop.abort();
        return idlePlan;
      },
      log: () => {},
      nowMs: () => clock,
      async sleep(ms, signal) {
        // A poke aborts the signal; else the whole interval passes.
        await new Promise((resolve) => setImmediate(resolve));
        const woken = signal.aborted;
        sleeps.push({ ms, woken });
        clock += woken ? 10 : ms;
      },
    },
    { watchSeconds: 2, fetchSeconds: 1e9, idleRepeatSeconds: 60, unhealthyAfterSeconds: 600, once: false },
  );
  await reconciler.run(stop.signal);
  // Look 1 at 0; the poke during the interval's sleep ends it (10 ms in), then the rest of
  // the 0.5 s spacing is waited: look 2 at 500. The poke during look 2 skips the interval:
  // only the spacing is waited, look 3 at 1000.
  assert.deepEqual(looks, [0, MIN_LOOK_SPACING_MS, 2 * MIN_LOOK_SPACING_MS]);
  assert.deepEqual(
    sleeps.slice(0, 3).map((s) => s.ms),
    [2000, MIN_LOOK_SPACING_MS - 10, MIN_LOOK_SPACING_MS],
  );
  assert.deepEqual(
    sleeps.slice(0, 3).map((s) => s.woken),
    [true, false, false],
  );
});
