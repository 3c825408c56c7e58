import type { InputFile, ReadStart } from '../input/types.js';
import type { Cursor } from '../state/checkpoint.js';
import type { IdJournal } from '../state/id-journal.js';
import type { Engine, Unit } from './engine.js';

/** How a command reads and plans its inputs (replay: Segment messages; delete: IDs). */
export interface Source<T> {
  readonly files: readonly InputFile[];
  read(file: InputFile, index: number, start: ReadStart | undefined): AsyncIterable<T[]>;
  /** Releases what reading holds (the planning worker). */
  close?(): Promise<void>;
  plan(item: T): Unit;
}

/** Shared with the caller: `stopped` is set by a signal handler, `filesDone` feeds the progress bar. */
export interface RunControl {
  stopped: boolean;
  filesDone: number;
}

/**
 * Drives every record from the resume point through the planner into the engine, file by file.
 * Returns 'done' when all inputs were read and every request acknowledged, 'stopped' when the stop
 * flag or a request failure ended reading early (the caller then drains and saves).
 */
export async function drive<T>(source: Source<T>, engine: Engine, ids: IdJournal, from: Cursor, stop: RunControl): Promise<'done' | 'stopped'> {
  for (let index = from.fileIndex; index < source.files.length; index++) {
    const file = source.files[index]!;
    const start = index === from.fileIndex && from.line > 0 ? { line: from.line, offset: from.offset } : undefined;
    for await (const chunk of source.read(file, index, start)) {
      for (const item of chunk) {
        const before = ids.count;
        const unit = source.plan(item);
        if (!engine.acceptNow(unit, index, ids.count)) await engine.accept(unit, index, before, ids.count);
        if (stop.stopped || engine.failure !== undefined) return 'stopped';
      }
    }
    await engine.endFile(index, ids.count);
    stop.filesDone = index + 1;
    if (stop.stopped || engine.failure !== undefined) return 'stopped';
  }
  await engine.finish();
  return engine.failure === undefined ? 'done' : 'stopped';
}
