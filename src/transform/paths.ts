/**
 * Trace paths (`traits.email`, `properties.products[2].price`) made once per distinct pair and then
 * reused. The dry-run diff looks every trace up by its paths: a string seen before is hashed and
 * compared at almost no cost, where a fresh concatenation is flattened and hashed anew each time.
 * Memoisation only (the result equals the concatenation); bounded, so that archives with endless
 * distinct keys (IDs used as property names) fall back to plain concatenation.
 */
const maxPaths = 100_000;
const joined = new Map<string, Map<string, string>>();
let size = 0;

/** `${prefix}.${key}` */
export function dotted(prefix: string, key: string): string {
  let keys = joined.get(prefix);
  if (keys === undefined) {
    if (size >= maxPaths) return `${prefix}.${key}`;
    joined.set(prefix, (keys = new Map()));
  }
  let path = keys.get(key);
  if (path === undefined) {
    path = `${prefix}.${key}`;
    if (size < maxPaths) {
      keys.set(key, path);
      size++;
    }
  }
  return path;
}

/** `properties.${key}`: where an event or order property comes from. */
export function propertyPath(key: string): string {
  return dotted('properties', key);
}

const indexed: string[][] = [];

/** `${prefix}[${i}]` for the few prefixes with array indexes (products, purchases). */
export function indexedPath(prefix: 'properties.products' | 'purchases' | 'events', i: number): string {
  const slot = prefix === 'purchases' ? 0 : prefix === 'events' ? 1 : 2;
  const paths = (indexed[slot] ??= []);
  if (i >= 1000) return `${prefix}[${i}]`;
  return (paths[i] ??= `${prefix}[${i}]`);
}
