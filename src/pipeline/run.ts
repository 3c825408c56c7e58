import { closeLater } from '../input/read-ahead.js';
import type { InputFile, ReadStart } from '../input/types.js';
import type { Cursor } from '../state/checkpoint.js';
import type { MarkSource } from '../state/run-memory.js';
import type { Engine } from './engine.js';
import type { Unit } from './unit.js';

/** How a command reads and plans its inputs (replay: Segment messages; delete: IDs). */
export interface Source<T> {
  readonly files: readonly InputFile[];
  read(file: InputFile, index: number, start: ReadStart | undefined): AsyncIterable<T[]>;
  /** Releases what reading holds (the planning workers; stdin, whose read a stop may have abandoned). */
  close?(): Promise<void>;
  plan(item: T): Unit;
}

/** Shared with the caller: `stopped` is set by a signal handler, `filesDone` feeds the progress bar. */
export interface RunControl {
  stopped: boolean;
  filesDone: number;
  /**
   * Calls `listener` when a stop is asked for (as `stopped` is set) or a request failed for good;
   * returns what removes it. A read still waiting for input (stdin from a producer that has gone
   * quiet) is then abandoned instead of holding the stop until more comes.
   */
  onStop(listener: () => void): () => void;
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

export const INTERRUPTED: unique symbol = Symbol('interrupted');

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
  for (let index = from.fileIndex; index < source.files.length; index++) {
    const file = source.files[index]!;
    const start = index === from.fileIndex && from.line > 0 ? { line: from.line, offset: from.offset } : undefined;
    const chunks = source.read(file, index, start)[Symbol.asyncIterator]();
    for (;;) {
      const next = await nextUnlessStopped(chunks, stop);
      if (next === INTERRUPTED) {
        closeLater(chunks);
        return false;
      }
      if (next.done) break;
      for (const item of next.value) {
        const before = memory.mark();
        const unit = source.plan(item);
        if (!engine.acceptNow(unit, index)) await engine.accept(unit, index, before);
        if (stop.stopped || engine.failure !== undefined || engine.overBudget) {
          await chunks.return?.(undefined);
          return false;
        }
      }
    }
    await engine.endFile(index);
    stop.filesDone = index + 1;
    if (stop.stopped || engine.failure !== undefined || engine.overBudget) return false;
  }
  return true;
}

/**
 * The next chunk, or INTERRUPTED as soon as a stop is asked for. The stop listener lives for this one
 * read only: racing every read against one promise that lasts the whole run would keep every chunk
 * alive through that promise's reactions.
 */
export async function nextUnlessStopped<T>(chunks: AsyncIterator<T>, stop: RunControl): Promise<IteratorResult<T> | typeof INTERRUPTED> {
  if (stop.stopped) return INTERRUPTED;
  let off = (): void => undefined;
  const stopped = new Promise<typeof INTERRUPTED>((resolve) => (off = stop.onStop(() => resolve(INTERRUPTED))));
  try {
    return await Promise.race([chunks.next(), stopped]);
  } finally {
    off();
  }
}
