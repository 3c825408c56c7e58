/** The known key closest to a misspelt one (Levenshtein distance), when it is close enough to be meant. */
export function nearestKey(given: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const key of known) {
    const d = distance(given.toLowerCase(), key.toLowerCase());
    if (d < bestDistance) {
      best = key;
      bestDistance = d;
    }
  }
  // More than half the key changed is another word, not a typo.
  return best !== undefined && bestDistance <= Math.max(2, Math.ceil(best.length / 2)) ? best : undefined;
}

/** Edits (insert, delete, substitute) that turn `a` into `b`: one row at a time. */
export function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, substitute));
    }
    previous = row;
  }
  return previous[b.length]!;
}
