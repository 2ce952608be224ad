// Ours beside the original Nodepool, from one bench:pools report: medians and the ratio
// (ours / original; below 1 means we are faster). Run by bench/pools/run.ts after both sides;
// `node --import tsx bench/pools/compare.ts .tools/bench/pools-….json` prints it again.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { summarize } from "./stats.js";

export interface OriginalReport {
  scenarios?: {
    a?: { request_wait_s?: number[]; ready_again_s?: number[]; used_gone_s?: number[] };
    d?: {
      single?: { fulfil_s?: number[] };
      burst?: { all_s?: number[]; rounds?: { fulfil_s: number[] }[] };
    };
  };
}

type Samples = Record<string, number[]> | undefined;

export interface ComparisonRow {
  figure: string;
  ours?: number;
  original?: number;
  ratio?: number;
}

const median = (samples: number[] | undefined) => (samples?.length ? summarize(samples)!.p50 : undefined);

export function compare(ours: { a?: Samples; d?: Samples }, original: OriginalReport): ComparisonRow[] {
  const a = original.scenarios?.a;
  const d = original.scenarios?.d;
  const rows: [string, number[] | undefined, number[] | undefined][] = [
    ["(a) 3 nodes handed out", ours.a?.["claimed"], a?.request_wait_s],
    ["(a) 5 ready again", ours.a?.["refilled"], a?.ready_again_s],
    ["(a) the 3 used nodes gone", ours.a?.["usedGone"], a?.used_gone_s],
    ["(d) one claim, ready nodes waiting", ours.d?.["one"], d?.single?.fulfil_s],
    ["(d) 24 claims at once: each", ours.d?.["burstEach"], d?.burst?.rounds?.flatMap((r) => r.fulfil_s)],
    ["(d) 24 claims at once: all served", ours.d?.["burstAll"], d?.burst?.all_s],
  ];
  return rows.map(([figure, mine, theirs]) => {
    const m = median(mine);
    const o = median(theirs);
    return {
      figure,
      ours: m,
      original: o,
      ratio: m !== undefined && o !== undefined && o > 0 ? Math.round((m / o) * 100) / 100 : undefined,
    };
  });
}

export function formatComparison(rows: readonly ComparisonRow[]): string[] {
  const cell = (v: number | undefined, unit = " s") => (v === undefined ? "–" : `${v.toFixed(2)}${unit}`);
  return [
    `  ${"median".padEnd(38)} ${"ours".padStart(9)} ${"original".padStart(9)} ${"ratio".padStart(7)}`,
    ...rows.map(
      (r) =>
        `  ${r.figure.padEnd(38)} ${cell(r.ours).padStart(9)} ${cell(r.original).padStart(9)} ${cell(r.ratio, "×").padStart(7)}`,
    ),
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node --import tsx bench/pools/compare.ts REPORT.json");
    process.exit(2);
  }
  const report = JSON.parse(readFileSync(file, "utf8")) as {
    a?: { samples: Samples };
    d?: { samples: Samples };
    original?: OriginalReport;
  };
  if (!report.original) {
    console.error(`${file}: no original Nodepool figures (run bench:pools with --original)`);
    process.exit(1);
  }
  for (const line of formatComparison(
    compare({ a: report.a?.samples, d: report.d?.samples }, report.original),
  ))
    console.log(line);
}
