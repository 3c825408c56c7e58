/**
 * A string of its own, for text kept for long (a map, a cache, the run's totals): what is read out of
 * a larger text (a line, a worker's chunk of JSON) is a slice of it in V8, and keeping the slice keeps
 * the whole text alive. Measured: names in the dry-run totals kept ~5,000 chunks of tens of KB; the
 * index pass's recent-links cache kept 65,536 whole lines (~40 MB a worker).
 */
export function ownCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
