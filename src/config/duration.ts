// Durations in images.yaml are written the way operators say them: "24h", "90m", "1h30m", "2d".
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION = /^(?:\d+[smhd])+$/;

/** Seconds in a duration like "1h30m", or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([smhd])/g)) {
    seconds += Number(amount) * UNIT_SECONDS[unit as string]!;
  }
  return seconds > 0 ? seconds : undefined;
}

/** "26.8 h", "45 min": how the plan's reasons talk about ages and timeouts. */
export function formatHours(seconds: number): string {
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
