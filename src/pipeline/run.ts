import type { InputFile, ReadStart } from '../input/types.js';
import type { Cursor } from '../state/checkpoint.js';
import type { MarkSource } from '../state/run-memory.js';
import type { Engine } from './engine.js';
import type { Unit } from './unit.js';
import { walkFiles } from './file-walk.js';
import type { RunControl } from './stop-control.js';


/** How a command reads and plans its inputs (replay: Segment messages; delete: IDs). */
export interface Source<T> {
  readonly files: readonly InputFile[];
  /** The input's records in chunks, in order (a chunk may decode its records as they are taken). */
  read(file: InputFile, index: number, start: ReadStart | undefined): AsyncIterable<Iterable<T>>;
  /** Releases what reading holds (the planning workers; stdin, whose read a stop may have abandoned). */
  close?(): Promise<void>;
  plan(item: T): Unit;
  /**
   * The most objects `item` can have once planned (planning only takes objects away: a duplicate
   * loses them, an unchanged attribute leaves its object in place). With it, a record the engine is
   * sure to take at once costs no marks (readAll).
   */
  most?(item: T): number;
}

/**
 * How a pass over the inputs ended: every record read and every request acknowledged; stopped by a
 * signal; or failed (a request that failed for good, or an error while reading or planning). The
 * caller saves the checkpoint in every case. Or stopped at the data-point budget (--max-data-points):
 * `spent` by the requests before the one that would have gone past it, which needed `needed`.
 */
export type Outcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'budget'; readonly spent: number; readonly needed: number };

/**
 * Drives every record from the resume point through the planner into the engine, file by file, and
 * says how it ended. On 'interrupted' and 'failed' requests may still be in flight (the caller
 * drains them before saving).
 */
export async function drive<T>(source: Source<T>, engine: Engine, memory: MarkSource, from: Cursor, stop: RunControl): Promise<Outcome> {
  let read: boolean;
  try {
    read = await readAll(source, engine, memory, from, stop);
    if (read) await engine.finish();
  } catch (error) {
    // A request's failure is also thrown to the accept that was waiting: report the request's.
    return { kind: 'failed', error: engine.failure ?? error };
  }
  if (engine.failure !== undefined) return { kind: 'failed', error: engine.failure };
  const over = engine.overBudget;
  if (over) return { kind: 'budget', ...over };
  return read ? { kind: 'done' } : { kind: 'interrupted' };
}

/** Reads and takes every record; false when a stop or a request failure ended reading early. */
async function readAll<T>(source: Source<T>, engine: Engine, memory: MarkSource, from: Cursor, stop: RunControl): Promise<boolean> {
  const halted = () => stop.stopped || engine.failure !== undefined || engine.overBudget !== undefined;
  for await (const step of walkFiles(source.files, from, (file, index, start) => source.read(file, index, start), stop)) {
    if (step.kind === 'stopped') return false;
    if (step.kind === 'fileEnd') {
      await engine.endFile(step.index);
      stop.filesDone = step.index + 1;
      if (halted()) return false;
      continue;
    }
    for (const item of step.chunk) {
      // The memories' marks, taken before the record is planned, serve only a record that seals a
      // request or closes a span: nearly every record is known beforehand to do neither.
      const most = source.most?.(item);
      const before = most !== undefined && engine.admits(most) ? undefined : memory.mark();
      const unit = source.plan(item);
      if (!engine.acceptNow(unit, step.index)) {
        if (before === undefined) throw new Error(`Planning gave ${unit.file}:${unit.line} more objects than ${most}`);
        await engine.accept(unit, step.index, before);
      }
      if (halted()) return false;
    }
  }
  return true;
}
