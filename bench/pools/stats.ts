// Order statistics for benchmark samples (seconds).

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function summarize(samples: readonly number[]): Summary | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    min: round(sorted[0]!),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted[sorted.length - 1]!),
  };
}

export const round = (seconds: number) => Math.round(seconds * 100) / 100;

/** Samples named …Minutes are minutes; all others seconds. */
export const unitOf = (name: string) => (/Minutes$/.test(name) ? "min" : "s");

export function formatSummary(summary: Summary | undefined, unit = "s"): string {
  if (!summary) return "no samples";
  const f = (v: number) => `${v.toFixed(1)} ${unit}`;
  return `p50 ${f(summary.p50)}, p95 ${f(summary.p95)}, max ${f(summary.max)} (n=${summary.n}, min ${f(summary.min)})`;
}
