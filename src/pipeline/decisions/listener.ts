import type { RequestItem } from '../../braze/types.js';
import type { Unit } from '../unit.js';

/** What the planner said of a record that the dry run shows (a Planned record is one). */
export interface PlannedAccount {
  readonly file: string;
  readonly line: number;
  /** Message time in seconds since 1970; 0 when none. */
  readonly time: number;
  /** Its diff lines (TraceKeys ids) `traceIds[traceStart .. traceEnd)`, when a diff is kept. */
  readonly traceIds: ArrayLike<number> | undefined;
  readonly traceStart: number;
  readonly traceEnd: number;
  /** --diff full: the record's own text (what each field became, the objects planned). */
  readonly text: string | undefined;
  /** --stitch: where the link it was sent under came from, when a diff is kept. */
  readonly link: string | undefined;
  /** The message as read, for the first records of each file (the page's samples). */
  readonly source: string | undefined;
}

/**
 * What the run thread's deciders (deduplicator.ts, changed-attributes.ts) decide of each record, in input
 * order, told to whoever listens: the dry run turns decisions into diff rows, page counts and --diff
 * full text; the command warns in the run's log. A decider formats nothing (style.md "The diff
 * listens"). Every hook is optional and takes values the decider already holds, so a decision nobody
 * listens to costs a property read: no call, no allocation (a live run keeps no diff; its only
 * listener is the UTF-8 warning). A record's decisions come between its `begin` and its `decided`
 * (see `bracketed`), in the order listed here.
 */
export interface DecisionListener {
  /** A record comes to the deciders: the decisions until its `decided` are about it. */
  begin?(): void;
  /** Its text held invalid UTF-8, replaced by U+FFFD (every such record, whatever its fate). */
  invalidUtf8?(file: string, line: number): void;
  /** Skipped: its messageId was seen earlier in the run (within --dedup-window). */
  duplicate?(file: string, line: number): void;
  /** Not a duplicate: it goes on as planned, and the planner's account of it is `record`. */
  kept?(record: PlannedAccount): void;
  /**
   * An object of the record goes on as `sent` in place of `planned`: --attributes changed left out
   * the attributes whose value is the one last sent to the user, `keep[a]` 0 for attribute a of
   * `planned` (1: sent). `keep` undefined: nothing was left out (`sent` is `planned`). `keep` is
   * reused for the next object: a listener that holds on to it copies it.
   */
  object?(file: string, line: number, planned: RequestItem, keep: Uint8Array | undefined, sent: RequestItem): void;
  /** Skipped: --attributes changed left nothing of it to send (told after its objects). */
  unchanged?(file: string, line: number): void;
  /** Every decider has spoken: the record goes on as `unit` (its fate, the objects it sends). */
  decided?(record: PlannedAccount, unit: Unit): void;
}

/**
 * `decide` with each record's decisions bracketed for `listener` (`begin` before, `decided` after);
 * `decide` itself when the listener hears neither.
 */
export function bracketed<P extends PlannedAccount>(decide: (p: P) => Unit, listener: DecisionListener | undefined): (p: P) => Unit {
  if (listener?.begin === undefined && listener?.decided === undefined) return decide;
  return (p) => {
    listener.begin?.();
    const unit = decide(p);
    listener.decided?.(p, unit);
    return unit;
  };
}

/**
 * One listener that tells each of `listeners`, in order, the decisions it listens to. A hook none of
 * them has stays undefined (its decisions cost nothing); a hook only one of them has is that one's own.
 */
export function together(...listeners: ReadonlyArray<DecisionListener | undefined>): DecisionListener {
  const all = listeners.filter((l) => l !== undefined);
  if (all.length === 1) return all[0]!;
  return {
    begin: fan(all.map((l) => l.begin?.bind(l)), (hs) => () => { for (const h of hs) h(); }),
    invalidUtf8: fan(all.map((l) => l.invalidUtf8?.bind(l)), (hs) => (file, line) => { for (const h of hs) h(file, line); }),
    duplicate: fan(all.map((l) => l.duplicate?.bind(l)), (hs) => (file, line) => { for (const h of hs) h(file, line); }),
    kept: fan(all.map((l) => l.kept?.bind(l)), (hs) => (record) => { for (const h of hs) h(record); }),
    object: fan(all.map((l) => l.object?.bind(l)), (hs) => (file, line, planned, keep, sent) => { for (const h of hs) h(file, line, planned, keep, sent); }),
    unchanged: fan(all.map((l) => l.unchanged?.bind(l)), (hs) => (file, line) => { for (const h of hs) h(file, line); }),
    decided: fan(all.map((l) => l.decided?.bind(l)), (hs) => (record, unit) => { for (const h of hs) h(record, unit); }),
  };
}

/** The hooks of one kind that are there: none, the only one, or `each` calling them all in order. */
function fan<H>(found: ReadonlyArray<H | undefined>, each: (hooks: readonly H[]) => H): H | undefined {
  const hooks = found.filter((h): h is H => h !== undefined);
  return hooks.length <= 1 ? hooks[0] : each(hooks);
}
