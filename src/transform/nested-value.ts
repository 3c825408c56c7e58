import type { FieldTrace } from './types.js';
import { MAX_STRING, TRUNCATED, isRecord, truncate } from './limits.js';

/** Decides whether a nested object key is kept: returns the drop reason, or undefined to keep it. */
export type KeyRule = (key: string) => string | undefined;

/**
 * Copies a JSON value for Braze: strings longer than 255 characters are truncated and nested object
 * keys that break `keyRule` are dropped, at any depth; each change is traced with its full path.
 * Paths are only built when tracing (`trace` defined), to keep the hot path cheap.
 */
export function cleanNested(value: unknown, keyRule: KeyRule, from: string, to: string, trace: FieldTrace[] | undefined): unknown {
  if (typeof value === 'string') {
    if (value.length <= MAX_STRING) return value;
    const cut = truncate(value);
    trace?.push({ from, to, action: 'changed', reason: TRUNCATED, value: cut });
    return cut;
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => cleanNested(item, keyRule, trace ? `${from}[${i}]` : '', trace ? `${to}[${i}]` : '', trace));
  }
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const item = value[key];
    if (item === undefined) continue;
    const dropped = keyRule(key);
    if (dropped !== undefined) {
      trace?.push({ from: `${from}.${key}`, action: 'dropped', reason: dropped });
      continue;
    }
    out[key] = cleanNested(item, keyRule, trace ? `${from}.${key}` : '', trace ? `${to}.${key}` : '', trace);
  }
  return out;
}
