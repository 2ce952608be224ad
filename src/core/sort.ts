// The one ordering of names and ids everywhere (plans, lists, JSON): stable, locale-free, and
// node-10 after node-9, so two runs over the same state print and serialise the same.

const isDigit = (code: number) => code >= 48 && code <= 57;

/**
 * Compares strings piecewise, runs of digits by value: "a-9" < "a-10". No allocation: it
 * sorts every node of every provider on each plan.
 */
export function compareNatural(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(j);
    if (isDigit(x) && isDigit(y)) {
      // Compare the two digit runs by value: skip leading zeros, then longer is larger.
      let startA = i;
      let startB = j;
      while (startA < a.length - 1 && a.charCodeAt(startA) === 48 && isDigit(a.charCodeAt(startA + 1)))
        startA++;
      while (startB < b.length - 1 && b.charCodeAt(startB) === 48 && isDigit(b.charCodeAt(startB + 1)))
        startB++;
      let endA = startA;
      let endB = startB;
      while (endA < a.length && isDigit(a.charCodeAt(endA))) endA++;
      while (endB < b.length && isDigit(b.charCodeAt(endB))) endB++;
      if (endA - startA !== endB - startB) return endA - startA - (endB - startB);
      for (let k = 0; k < endA - startA; k++) {
        const d = a.charCodeAt(startA + k) - b.charCodeAt(startB + k);
        if (d !== 0) return d;
      }
      // Equal values ("07" vs "7"): fall back to the raw text so the order stays total.
      if (endA - i !== endB - j) return endA - i - (endB - j);
      i = endA;
      j = endB;
      continue;
    }
    if (x !== y) return x - y;
    i++;
    j++;
  }
  return a.length - i - (b.length - j);
}

/** Builds first (they take longest), then deletions that free room, then creations. */

export const byName = <T extends { name: string }>(a: T, b: T) => compareNatural(a.name, b.name);
