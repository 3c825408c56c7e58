import type { FieldTrace } from './types.js';

/*
 * Every FieldTrace is made by one of these, so that all have the same fields in the same order: the
 * dry-run diff reads each trace on its hot path, and objects of many shapes made those reads slow.
 */

/** A field copied to Braze; `value` when Braze gets it in another form. */
export function traceMapped(from: string, to: string, value?: unknown): FieldTrace {
  return made(from, to, 'mapped', undefined, value);
}

/** A field Braze gets changed, and why. */
export function traceChanged(from: string, to: string, reason: string, value: unknown): FieldTrace {
  return made(from, to, 'changed', reason, value);
}

/** A field not sent, and why. */
export function traceDropped(from: string, reason: string): FieldTrace {
  return made(from, undefined, 'dropped', reason, undefined);
}

type Made = { -readonly [K in keyof FieldTrace]: FieldTrace[K] };

/**
 * The traces of the record being planned, reused from record to record (see tracesReused): a dry run
 * makes about fifteen a record, each read once by the planner before the next record is mapped.
 * Reusing them took 3% off a dry run's CPU (docs/performance.md).
 */
const reused: Made[] = [];
let next = 0;
/** Inside tracesReused. */
let active = false;

/**
 * Runs `plan` with traces taken from one set reused by every call: the traces of a call are valid
 * until the next. Mapping outside it (tests, tools) gets fresh traces; a call inside another shares
 * the outer call's set.
 */
export function tracesReused<R>(plan: () => R): R {
  if (active) return plan();
  next = 0;
  active = true;
  try {
    return plan();
  } finally {
    active = false;
  }
}

function made(from: string, to: string | undefined, action: FieldTrace['action'], reason: string | undefined, value: unknown): FieldTrace {
  if (!active) return { from, to, action, reason, value };
  const trace = reused[next];
  if (trace === undefined) return (reused[next++] = { from, to, action, reason, value });
  next++;
  trace.from = from;
  trace.to = to;
  trace.action = action;
  trace.reason = reason;
  trace.value = value;
  return trace;
}
