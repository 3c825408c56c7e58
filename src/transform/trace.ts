import type { FieldTrace } from './types.js';

/*
 * Every FieldTrace is made by one of these, so that all have the same fields in the same order: the
 * dry-run diff reads each trace on its hot path, and objects of many shapes made those reads slow.
 */

/** A field copied to Braze; `value` when Braze gets it in another form. */
export function traceMapped(from: string, to: string, value?: unknown): FieldTrace {
  return { from, to, action: 'mapped', reason: undefined, value };
}

/** A field Braze gets changed, and why. */
export function traceChanged(from: string, to: string, reason: string, value: unknown): FieldTrace {
  return { from, to, action: 'changed', reason, value };
}

/** A field not sent, and why. */
export function traceDropped(from: string, reason: string): FieldTrace {
  return { from, to: undefined, action: 'dropped', reason, value: undefined };
}
