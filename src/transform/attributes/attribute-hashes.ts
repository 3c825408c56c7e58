import { isRecord } from '../limits.js';

/**
 * What `--attributes changed` compares values by (attribute-pieces.ts hashes it in the planning
 * worker): JSON with object keys sorted at every level, so `{a:1,b:2}` equals `{b:2,a:1}`; arrays keep
 * their order. Written with loops: callbacks made at each call (map, filter) were compiled again and
 * again by V8, 47 times a run, with this function inlined into each.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonicalJson(value[i] ?? null);
    return `${out}]`;
  }
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    let out = '{';
    for (const key of keys) {
      const item = value[key];
      if (item === undefined) continue;
      out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(item)}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
