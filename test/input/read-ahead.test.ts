import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { readAhead } from '../../src/input/read-ahead.js';

/** A source of `n` chunks of `size` bytes that records how far it was read and whether it was closed. */
function source(n: number, size: number, fail?: Error) {
  const seen = { read: 0, closed: false };
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for (let i = 0; i < n; i++) {
        await tick();
        seen.read++;
        yield Buffer.alloc(size, i);
      }
      if (fail) throw fail;
    } finally {
      seen.closed = true;
    }
  }
  return { seen, chunks: chunks() };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await tick();
}

describe('readAhead', () => {
  it('gives every chunk in order', async () => {
    const { chunks } = source(10, 3);
    const out: number[] = [];
    for await (const chunk of readAhead(chunks, 8)) out.push(chunk[0]!);
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('reads ahead while the consumer is busy, up to the limit and no further', async () => {
    const { seen, chunks } = source(100, 10);
    const it = readAhead(chunks, 35)[Symbol.asyncIterator]();
    await it.next();
    await settle();
    // One chunk taken, and 4 waiting: the reader stops once 35 bytes or more wait.
    expect(seen.read).toBe(5);
    await it.next();
    await settle();
    expect(seen.read).toBe(6);
    await it.return(undefined);
  });

  it('throws a source error only after the chunks read before it', async () => {
    const { chunks } = source(3, 2, new Error('unexpected end of file'));
    const out: number[] = [];
    await expect(async () => {
      for await (const chunk of readAhead(chunks, 1 << 20)) out.push(chunk[0]!);
    }).rejects.toThrow('unexpected end of file');
    expect(out).toEqual([0, 1, 2]);
  });

  it('closes the source when the consumer stops early', async () => {
    const { seen, chunks } = source(100, 10);
    for await (const chunk of readAhead(chunks, 30)) if (chunk[0] === 1) break;
    await settle();
    expect(seen.closed).toBe(true);
    expect(seen.read).toBeLessThan(10);
  });
});
