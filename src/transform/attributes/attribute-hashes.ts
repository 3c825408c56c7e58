import { isRecord } from '../limits.js';

/**
 * What `--attributes changed` compares values by (attribute-pieces.ts hashes it in the planning
 * worker): JSON with object keys sorted at every level, so `{a:1,b:2}` equals `{b:2,a:1}`; arrays keep
 * their order.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
