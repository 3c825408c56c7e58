import type { FieldTrace } from './types.js';
import { dotted } from './paths.js';

/*
 * Every FieldTrace is made by one of these, so that all have the same fields in the same order: the
 * dry-run diff reads each trace on its hot path, and objects of many shapes made those reads slow.
 */

/** A field copied to Braze; `value` when Braze gets it in another form. */
export function traceMapped(from: string, to: string, value?: unknown): FieldTrace {
  return made(from, to, undefined, 'mapped', undefined, value);
}

/**
 * A field copied under its own key: `${fromPrefix}.${key}` -> `${toPrefix}.${key}` (a property, a
 * trait), `value` when Braze gets it in another form. Inside tracesReused the two paths are kept as
 * their parts (see ReusedTrace).
 */
export function traceMappedKey(fromPrefix: string, toPrefix: string, key: string, value?: unknown): FieldTrace {
  return made(fromPrefix, toPrefix, key, 'mapped', undefined, value);
}

/** A field Braze gets changed, and why. */
export function traceChanged(from: string, to: string, reason: string, value: unknown): FieldTrace {
  return made(from, to, undefined, 'changed', reason, value);
}

/** A field not sent, and why. */
export function traceDropped(from: string, reason: string): FieldTrace {
  return made(from, undefined, undefined, 'dropped', reason, undefined);
}

/**
 * A trace of the record being planned, reused from record to record (see tracesReused). A trace made
 * by traceMappedKey keeps its paths as parts, `fromPrefix`, `toPrefix` and `key`, and makes them only
 * when they are read: the planner numbers such a trace by its parts (dryrun/trace-keys.ts) and reads
 * its paths only for a line it has not seen, or for --diff full. Finding the two paths of every
 * property and trait of every record (paths.ts: two lookups each) and then looking the line up by one
 * of them cost a planning worker ~0.2 µs a record more (~8.6 against ~8.4 µs; alternating runs).
 */
export class ReusedTrace implements FieldTrace {
  constructor(
    /** The Segment path, or with `key` its prefix. */
    public fromPrefix: string,
    /** The Braze path, or with `key` its prefix. */
    public toPrefix: string | undefined,
    /** The key both paths end with, for a trace made by traceMappedKey. */
    public key: string | undefined,
    public action: FieldTrace['action'],
    public reason: string | undefined,
    public value: unknown,
  ) {}

  get from(): string {
    return this.key === undefined ? this.fromPrefix : dotted(this.fromPrefix, this.key);
  }

  get to(): string | undefined {
    return this.key === undefined || this.toPrefix === undefined ? this.toPrefix : dotted(this.toPrefix, this.key);
  }
}

/**
 * The traces of the record being planned, reused from record to record (see tracesReused): a dry run
 * makes about fifteen a record, each read once by the planner before the next record is mapped.
 * Reusing them took 3% off a dry run's CPU (docs/performance.md).
 */
const reused: ReusedTrace[] = [];
let next = 0;
/** Inside tracesReused. */
let active = false;

/**
 * Runs `plan` with traces taken from one set reused by every call: the traces of a call are valid
 * until the next. Mapping outside it (tests, tools) gets fresh traces, plain objects; a call inside
 * another shares the outer call's set.
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

function made(
  from: string, to: string | undefined, key: string | undefined, action: FieldTrace['action'], reason: string | undefined, value: unknown,
): FieldTrace {
  if (!active) return key === undefined ? { from, to, action, reason, value } : { from: dotted(from, key), to: dotted(to!, key), action, reason, value };
  const trace = reused[next];
  if (trace === undefined) return (reused[next++] = new ReusedTrace(from, to, key, action, reason, value));
  next++;
  trace.fromPrefix = from;
  trace.toPrefix = to;
  trace.key = key;
  trace.action = action;
  trace.reason = reason;
  trace.value = value;
  return trace;
}
