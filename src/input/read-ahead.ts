/**
 * Reads `source` ahead of its consumer, keeping up to `limit` bytes waiting, so that producing the
 * next bytes (file reads and gunzip, both on libuv's thread pool) overlaps with what the consumer
 * does with the previous ones instead of taking turns with it: a replay's main thread spent more
 * time waiting for gunzip than working, while the planning workers waited for lines.
 *
 * Chunks come out in order; an error of the source is thrown only after every chunk read before it.
 * When the consumer stops early, the source is closed once the read in progress (if any) ends.
 */
export async function* readAhead(source: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  const queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  let wakeReader: (() => void) | undefined;
  let wakeConsumer: (() => void) | undefined;
  const wake = (waiter: (() => void) | undefined): undefined => {
    waiter?.();
    return undefined;
  };

  void (async () => {
    try {
      while (!stopped) {
        if (queued >= limit) {
          await new Promise<void>((resolve) => (wakeReader = resolve));
          continue;
        }
        const next = await it.next();
        if (next.done) break;
        queue.push(next.value);
        queued += next.value.length;
        wakeConsumer = wake(wakeConsumer);
      }
    } catch (error) {
      failure = { error };
    }
    ended = true;
    wakeConsumer = wake(wakeConsumer);
  })();

  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        queued -= chunk.length;
        if (queued < limit) wakeReader = wake(wakeReader);
        yield chunk;
      } else if (ended) break;
      else await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
    if (failure) throw failure.error;
  } finally {
    if (!ended) {
      // Stopped early: the reader reads no more, and the source closes after its read in progress.
      stopped = true;
      wakeReader = wake(wakeReader);
      closeLater(it);
    }
  }
}

/**
 * Closes an iterator whose consumer stopped with a read possibly still pending, without waiting: an
 * async generator runs return() only after that read ends, and a read of stdin may never end.
 */
export function closeLater(iterator: AsyncIterator<unknown>): void {
  void iterator.return?.(undefined)?.catch(() => undefined);
}
