import { closeLater } from '../input/read-ahead.js';
import type { InputFile, ReadStart } from '../input/types.js';
import type { Cursor } from '../state/checkpoint.js';
import type { InputFingerprints } from '../state/input-fingerprints.js';
import { FILES_AHEAD } from './planning/file-scheduler.js';
import type { RunControl } from './stop-control.js';

/** What walking the inputs gives: a chunk of a file, the end of a file, or a stop asked for. */
export type Step<C> =
  | { readonly kind: 'chunk'; readonly index: number; readonly chunk: C }
  | { readonly kind: 'fileEnd'; readonly index: number }
  | { readonly kind: 'stopped' };

/** Reads one input (the `index`th) from `start`, in chunks. */
export type ReadFile<C> = (file: InputFile, index: number, start: ReadStart | undefined) => AsyncIterable<C>;

/**
 * The one walk over the inputs that both passes take (the replay pass and the `--stitch` index pass):
 * file by file from the resume point, each chunk as it comes, a stop answered at once, even while a
 * read waits for input. A consumer that stops taking steps closes the file being read.
 */
export async function* walkFiles<C>(files: readonly InputFile[], from: Cursor, read: ReadFile<C>, stop: RunControl): AsyncGenerator<Step<C>> {
  for (let index = from.fileIndex; index < files.length; index++) {
    const start = index === from.fileIndex && from.line > 0 ? { line: from.line, offset: from.offset } : undefined;
    const chunks = read(files[index]!, index, start)[Symbol.asyncIterator]();
    let ended = false;
    try {
      for (;;) {
        const next = await nextUnlessStopped(chunks, stop);
        if (next === INTERRUPTED) {
          // A read may still be pending (stdin): close without waiting for it.
          ended = true;
          closeLater(chunks);
          yield { kind: 'stopped' };
          return;
        }
        if (next.done) break;
        yield { kind: 'chunk', index, chunk: next.value };
      }
      ended = true;
    } finally {
      // The consumer stopped between reads: nothing is pending, so the file closes now.
      if (!ended) await chunks.return?.(undefined);
    }
    yield { kind: 'fileEnd', index };
  }
}

/**
 * `read`, with the fingerprints of the input and of those a read may start on ahead of it
 * (FILES_AHEAD) taken first: a fingerprint is never of content newer than what the run read
 * (state/input-fingerprints.ts).
 */
export function fingerprintedFirst<C>(read: ReadFile<C>, fingerprints: InputFingerprints): ReadFile<C> {
  return (file, index, start) => {
    fingerprints.through(index + FILES_AHEAD);
    return read(file, index, start);
  };
}

const INTERRUPTED: unique symbol = Symbol('interrupted');

/**
 * The next chunk, or INTERRUPTED as soon as a stop is asked for. The stop listener lives for this one
 * read only: racing every read against one promise that lasts the whole run would keep every chunk
 * alive through that promise's reactions.
 */
async function nextUnlessStopped<T>(chunks: AsyncIterator<T>, stop: RunControl): Promise<IteratorResult<T> | typeof INTERRUPTED> {
  if (stop.stopped) return INTERRUPTED;
  let off = (): void => undefined;
  const stopped = new Promise<typeof INTERRUPTED>((resolve) => (off = stop.onStop(() => resolve(INTERRUPTED))));
  try {
    return await Promise.race([chunks.next(), stopped]);
  } finally {
    off();
  }
}
