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
 * The traces of the record being planned, reused from record to record (see tracesReused). A dry
 * run makes about fifteen a record, read once by the planner before the next record is mapped: as
 * fresh objects they were a quarter of what a planning worker allocated.
 */
let reused: Made[] | undefined;
let next = 0;

/**
 * Runs `plan` with traces taken from one set reused by every call: the traces of a call are valid
 * until the next. Mapping outside it (tests, tools) gets fresh traces.
 */
export function tracesReused<R>(plan: () => R): R {
  reused ??= [];
  next = 0;
  const outer = active;
  active = true;
  try {
    return plan();
  } finally {
    active = outer;
  }
}

let active = false;

function made(from: string, to: string | undefined, action: FieldTrace['action'], reason: string | undefined, value: unknown): FieldTrace {
  if (!active) return { from, to, action, reason, value };
  const trace = reused![next];
  if (trace === undefined) return (reused![next++] = { from, to, action, reason, value });
  next++;
  trace.from = from;
  trace.to = to;
  trace.action = action;
  trace.reason = reason;
  trace.value = value;
  return trace;
}
