import type { Readable, Writable } from 'node:stream';

/**
 * Feeds a byte source into a push stream (gunzip, delete's csv-parse) one chunk at a time and
 * yields, after each chunk, everything the parser emitted for it.
 *
 * Why not `pipeline()` + `for await`: a stream destroyed by an error drops its buffered output, so the
 * records decoded just before a parse error or a truncated gzip would be lost. Here the tail stays in
 * flowing mode (its buffer is always empty) and back-pressure comes from feeding the next chunk only
 * after the consumer has taken the previous output. An error (from the source or the parser) is thrown
 * only after everything emitted before it has been yielded.
 */
export async function* feed<T>(
  source: AsyncIterable<Buffer>,
  head: Writable,
  tail: Readable = head as unknown as Readable,
): AsyncGenerator<T[]> {
  let queue: T[] = [];
  let failure: { error: unknown } | undefined;
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const fail = (error: unknown): void => {
    failure ??= { error };
    settle();
  };
  head.on('error', fail);
  if (tail !== (head as unknown)) tail.on('error', fail);
  tail.on('data', (item: T) => queue.push(item));
  tail.on('end', () => settle());
  try {
    try {
      for await (const chunk of source) {
        // A stream that fails mid-write may never call the write callback (zlib does not): race it.
        const written = new Promise<void>((resolve) =>
          head.write(chunk, (error) => {
            if (error) fail(error);
            resolve();
          }),
        );
        await Promise.race([written, settled]);
        if (queue.length > 0) {
          const out = queue;
          queue = [];
          yield out;
        }
        if (failure) break;
      }
    } catch (error) {
      fail(error);
    }
    if (!failure) {
      head.end();
      await settled;
    }
    if (queue.length > 0) yield queue;
    if (failure) throw failure.error;
  } finally {
    head.destroy();
    tail.destroy();
  }
}
