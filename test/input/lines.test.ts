import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/input/lines.js';

type Seen = [string, number, number];

function split(chunks: Buffer[], start = {}): Seen[] {
  const seen: Seen[] = [];
  const splitter = new LineSplitter(start);
  const onLine = (text: string, line: number, end: number): void => void seen.push([text, line, end]);
  for (const chunk of chunks) splitter.push(chunk, onLine);
  splitter.end(onLine);
  return seen;
}

describe('LineSplitter', () => {
  it('numbers lines and gives the byte offset after each newline', () => {
    expect(split([Buffer.from('ab\ncd\n\nef')])).toEqual([
      ['ab', 1, 3],
      ['cd', 2, 6],
      ['', 3, 7],
      ['ef', 4, 9],
    ]);
  });

  it('strips \\r\\n and a leading BOM', () => {
    expect(split([Buffer.from('\uFEFFab\r\ncd\r\n')])).toEqual([
      ['ab', 1, 7],
      ['cd', 2, 11],
    ]);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('é€x\nz\n');
    expect(split([bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3, 6), bytes.subarray(6)])).toEqual([
      ['é€x', 1, 7],
      ['z', 2, 9],
    ]);
  });

  it('skips lines up to skipThrough without handing them out', () => {
    expect(split([Buffer.from('a\nb\nc\n')], { skipThrough: 2 })).toEqual([['c', 3, 6]]);
  });

  it('continues numbering from a seek point', () => {
    expect(split([Buffer.from('c\nd')], { line: 2, offset: 4 })).toEqual([
      ['c', 3, 6],
      ['d', 4, 7],
    ]);
  });
});
