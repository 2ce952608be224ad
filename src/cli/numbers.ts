// Whole numbers typed on the command line. yargs' own number parsing reads "1e3" as 1000,
// "0x10" as 16 and "12abc" as NaN; here only plain digits pass, and a refusal echoes what
// was typed. Options use it as `...wholeNumber(…)` in place of `type: "number"`.

/** `text` as a whole number if it is plain decimal digits within 2^53, else undefined. */
export function parseWholeNumber(text: string): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * yargs settings for a whole number of at least `min`: what is typed stays text until this
 * reads it, and a refusal is a usage error (exit 2) saying `${name} must be ${meaning}, got "…"`.
 */
export function wholeNumber(name: string, meaning: string, min: 0 | 1) {
  return {
    type: "string" as const,
    coerce: (typed: unknown): unknown => {
      // A default is already a number; an empty or repeated option is requireOptionValues' to report.
      if (typeof typed !== "string" || typed === "") return typed;
      const value = parseWholeNumber(typed);
      if (value === undefined || value < min)
        throw new Error(`${name} must be ${meaning}, got ${JSON.stringify(typed)}`);
      return value;
    },
  };
}
