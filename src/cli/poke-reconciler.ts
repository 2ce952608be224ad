// Tell a running `nodepool reconcile` that the pool just changed, so it looks now instead of at
// the end of its look interval (health.ts, POST /look). Set NODEPOOL_RECONCILER_URL to its
// endpoint (http://127.0.0.1:9180) where claims and releases run. Only an accelerator: any
// failure is ignored, since the reconciler finds the change on its next look anyway.
export const RECONCILER_URL_ENV = "NODEPOOL_RECONCILER_URL";

/** Long enough for a reconciler on the same network; a job must never wait on it for longer. */
const POKE_TIMEOUT_MS = 500;

export async function pokeReconciler(env: Record<string, string | undefined> = process.env): Promise<void> {
  const base = env[RECONCILER_URL_ENV]?.trim();
  if (!base) return;
  try {
    const url = new URL("look", base.endsWith("/") ? base : `${base}/`);
    const answer = await fetch(url, { method: "POST", signal: AbortSignal.timeout(POKE_TIMEOUT_MS) });
    await answer.body?.cancel();
  } catch {
    // Unreachable, refused, a bad URL: the next look sees the change all the same.
  }
}
