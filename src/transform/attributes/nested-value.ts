import type { FieldTrace } from '../types.js';
import { MAX_STRING, TRUNCATED, isRecord, truncate } from '../limits.js';
import { traceChanged, traceDropped } from '../trace.js';

/** Decides whether a nested object key is kept: returns the drop reason, or undefined to keep it. */
export type KeyRule = (key: string) => string | undefined;

/**
 * A JSON value as Braze takes it: strings longer than 255 characters are truncated and nested object
 * keys that break `keyRule` are dropped, at any depth; each change is traced with its full path.
 * When nothing needs changing the value itself is returned (not a copy; nothing mutates it later).
 * Paths are only built when tracing (`trace` defined) and something changes, to keep the hot path cheap.
 */
export function cleanNested(value: unknown, keyRule: KeyRule, from: string, to: string, trace: FieldTrace[] | undefined): unknown {
  // Nearly every value needs no change: it is then sent as it is, without a copy or a path built.
  return needsCleaning(value, keyRule) ? cleaned(value, keyRule, from, to, trace) : value;
}

/** Whether cleanNested would change anything: a string over 255 characters or a key keyRule drops, at any depth. */
export function needsCleaning(value: unknown, keyRule: KeyRule): boolean {
  if (typeof value === 'string') return value.length > MAX_STRING;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (needsCleaning(item, keyRule)) return true;
    return false;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || keyRule(key) !== undefined || needsCleaning(item, keyRule)) return true;
  }
  return false;
}

function cleaned(value: unknown, keyRule: KeyRule, from: string, to: string, trace: FieldTrace[] | undefined): unknown {
  if (typeof value === 'string') {
    if (value.length <= MAX_STRING) return value;
    const cut = truncate(value);
    trace?.push(traceChanged(from, to, TRUNCATED, cut));
    return cut;
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => cleaned(item, keyRule, trace ? `${from}[${i}]` : '', trace ? `${to}[${i}]` : '', trace));
  }
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const item = value[key];
    if (item === undefined) continue;
    const dropped = keyRule(key);
    if (dropped !== undefined) {
      trace?.push(traceDropped(`${from}.${key}`, dropped));
      continue;
    }
    out[key] = cleaned(item, keyRule, trace ? `${from}.${key}` : '', trace ? `${to}.${key}` : '', trace);
  }
  return out;
}
