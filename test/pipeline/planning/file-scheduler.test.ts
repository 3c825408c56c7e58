import { describe, expect, it } from 'vitest';
import type { InputRead } from '../../../src/input/read.js';
import type { InputFile } from '../../../src/input/types.js';
import { GROUP_FILES } from '../../../src/input/whole-file.js';
import { FILES_AHEAD, FileScheduler } from '../../../src/pipeline/planning/file-scheduler.js';
import { InputReading, type Dispatch } from '../../../src/pipeline/planning/input-reading.js';

/** A small file's one read: offered whole (its answer never comes: only the starts count here). */
async function* offeredWhole(file: InputFile): AsyncGenerator<InputRead> {
  yield { kind: 'whole', whole: { path: file.path, display: file.display, size: file.size, format: 'ndjson' }, readOn: () => offeredWhole(file) };
}

describe('FileScheduler', () => {
  it('starts small files ahead a group at a time, in input order, also where the inputs ahead bind rather than the window', async () => {
    const inputs: InputFile[] = Array.from({ length: 4 * FILES_AHEAD }, (_, i) => ({ path: `/in/${i}.gz`, display: `${i}.gz`, format: undefined, gzip: true, size: 100, mtimeMs: 0 }));
    const never = () => new Promise<never>(() => undefined);
    const work: Dispatch = { batch: never, whole: never, flush: () => undefined };
    let burst: number[] = [];
    const scheduler = new FileScheduler((file, index) => {
      burst.push(index);
      return new InputReading(file, index, offeredWhole(file), work);
    }, () => undefined);
    // Four workers' window (24 answers, ~768 small files) is wider than FILES_AHEAD.
    const room = 24 - 1 / GROUP_FILES;
    await scheduler.take(inputs[0]!, 0, undefined);
    const bursts: number[][] = [];
    for (let index = 0; index < 2 * FILES_AHEAD; index++) {
      burst = [];
      scheduler.readAhead(index, inputs, room);
      await scheduler.take(inputs[index + 1]!, index + 1, undefined);
      bursts.push(burst);
    }
    expect(bursts.map((b) => b.length).filter((n) => n > 0 && n < GROUP_FILES)).toEqual([]);
    const started = bursts.flat();
    expect(started).toEqual(started.map((_, i) => i + 1));
    expect(started.length).toBeGreaterThan(2 * FILES_AHEAD);
  });
});
