import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { InputFile, InputItem } from '../../src/input/types.js';
import { readWholeFile, shareOf, WHOLE_FILE_BYTES, wholeFileOf, type WholeRead } from '../../src/input/whole-file.js';
import { collect, inputFile, itemsOfBatch, readItems, STDIN, stdinOf, tempDir, writeFixture } from './fixtures.js';

const dir = tempDir();

/** The InputFile of a written fixture, with its real size (what discover lists). */
function listed(file: string, format?: InputFile['format']): InputFile {
  return { ...inputFile(file, format), size: statSync(file).size };
}

/** What a planning worker makes of a file offered whole (it must be offered). */
function readWhole(file: InputFile): WholeRead {
  const whole = wholeFileOf(file, undefined, undefined);
  if (whole === undefined) throw new Error(`${file.display} is not offered whole`);
  return readWholeFile(whole);
}

/** The items of a file taken whole: its lines parsed as a planning worker parses them; undefined when it is handed back. */
function wholeItems(file: InputFile): InputItem[] | undefined {
  const read = readWhole(file);
  return read.kind === 'batch' ? itemsOfBatch(read.batch) : undefined;
}

/** The same bytes read as a stream, under the file's name: stdin is never offered whole. */
function streamedItems(file: string): Promise<InputItem[]> {
  return collect(readItems({ ...STDIN, display: path.basename(file) }, { stdin: stdinOf(readFileSync(file)) }));
}

describe('readWholeFile: a small file read in one go gives what the usual read loop gives', () => {
  const texts: Record<string, string | Buffer> = {
    'crlf, blank and malformed lines, no final newline': '{"type":"track","userId":"a"}\r\n\n{"type":"identify","userId":"ß"}\nnot json\n  \n{"type":"track","userId":"c"}',
    'a byte-order mark': '\ufeff{"type":"track","userId":"bom"}\n{"type":"track","userId":"x"}\n',
    'invalid UTF-8': Buffer.concat([Buffer.from('{"type":"track","userId":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n{"n":2}\n')]),
    'an empty file': '',
    'only whitespace': ' \n\n',
  };
  for (const [what, text] of Object.entries(texts)) {
    it.each(['plain.ndjson', 'zipped.gz'])(`%s with ${what}`, async (name) => {
      const file = writeFixture(dir, `${what.replace(/\W+/g, '-')}/${name}`, text);
      expect(wholeItems(listed(file))).toEqual(await streamedItems(file));
    });
  }

  it('reads a gzip file of several members whole, as gunzip does', async () => {
    const file = path.join(dir, 'members.gz');
    writeFileSync(file, Buffer.concat([gzipSync('{"n":1}\n'), gzipSync('{"n":2}\n')]));
    const items = wholeItems(listed(file));
    expect(items).toEqual(await streamedItems(file));
    expect(items?.map((i) => i.kind === 'record' && i.value)).toEqual([{ n: 1 }, { n: 2 }]);
  });
});

describe('readWholeFile: anything but the plain case is handed back, and read on from the bytes read', () => {
  /** The bytes a worker hands back for `file`, as the usual read receives them. */
  function handedBack(file: InputFile): { bytes: Buffer; complete: boolean } {
    const read = readWhole(file);
    if (read.kind !== 'head') throw new Error(`${file.display} was taken whole`);
    return { bytes: Buffer.from(read.head.bytes), complete: read.head.complete };
  }

  it('a damaged gzip: the usual read reports it at its line', async () => {
    const zipped = gzipSync('{"n":1}\n{"n":2}\n'.repeat(50));
    const file = path.join(dir, 'truncated.gz');
    writeFileSync(file, zipped.subarray(0, zipped.length - 20));
    expect(handedBack(listed(file))).toEqual({ bytes: readFileSync(file), complete: true });
    const items = await collect(readItems(listed(file)));
    expect(items).toEqual(await streamedItems(file));
    expect(items.at(-1)).toMatchObject({ kind: 'malformed', line: items.length, reason: expect.stringMatching(/^gzip data is truncated or corrupt/) });
  });

  it('a JSON array or CSV, sniffed', async () => {
    const array = writeFixture(dir, 'array.gz', '[{"n":1}]');
    const table = writeFixture(dir, 'table.txt', 'type,userId\ntrack,a\n');
    for (const file of [array, table]) {
      expect(handedBack(listed(file))).toEqual({ bytes: readFileSync(file), complete: true });
      expect(await collect(readItems(listed(file)))).toEqual(await streamedItems(file));
    }
    expect(await collect(readItems(listed(array)))).toMatchObject([{ kind: 'record', line: 1, value: { n: 1 } }]);
    expect(await collect(readItems(listed(table)))).toMatchObject([{ kind: 'record', line: 2, value: { type: 'track', userId: 'a' } }]);
  });

  it('a file that grew since it was listed: its listed size and one byte more, then the rest from the file', async () => {
    const file = writeFixture(dir, 'grown.ndjson', '{"n":1}\n');
    const before = listed(file);
    writeFileSync(file, '{"n":1}\n{"n":2}\n');
    expect(handedBack(before)).toEqual({ bytes: Buffer.from('{"n":1}\n{'), complete: false });
    expect(await collect(readItems(before))).toEqual([
      { kind: 'record', file: 'grown.ndjson', line: 1, end: 8, value: { n: 1 } },
      { kind: 'record', file: 'grown.ndjson', line: 2, end: 16, value: { n: 2 } },
    ]);
  });

  it('a file that shrank since it was listed: all of it', async () => {
    const file = writeFixture(dir, 'shrunk.ndjson', '{"n":1}\n{"n":2}\n');
    const before = listed(file);
    writeFileSync(file, '{"n":3}\n');
    expect(handedBack(before)).toEqual({ bytes: Buffer.from('{"n":3}\n'), complete: true });
    expect(await collect(readItems(before))).toEqual([{ kind: 'record', file: 'shrunk.ndjson', line: 1, end: 8, value: { n: 3 } }]);
  });

  it('a file that is gone: nothing read, and the usual read reports the error at line 1', async () => {
    const gone = { ...listed(writeFixture(dir, 'there.ndjson', '{"n":1}\n')), path: path.join(dir, 'missing.ndjson'), display: 'missing.ndjson' };
    expect(handedBack(gone)).toEqual({ bytes: Buffer.alloc(0), complete: false });
    expect(await collect(readItems(gone))).toMatchObject([{ kind: 'malformed', line: 1, reason: expect.stringMatching(/^read error: ENOENT/) }]);
  });

  it('a gzip that inflates past the limit', () => {
    const file = path.join(dir, 'bomb.gz');
    writeFileSync(file, gzipSync(Buffer.alloc(40 << 20, 0x20)));
    expect(statSync(file).size).toBeLessThan(WHOLE_FILE_BYTES);
    expect(handedBack(listed(file))).toEqual({ bytes: readFileSync(file), complete: true });
  });

  it('a small gzip that inflates past its share of the limit (4 MiB for a share of one, 128 KiB for the smallest files)', () => {
    const inflated = (4 << 20) * shareOf(2048);
    expect(inflated).toBe(128 << 10);
    const at = writeFixture(dir, 'share-at.gz', Buffer.alloc(inflated, 0x20));
    const over = writeFixture(dir, 'share-over.gz', Buffer.alloc(inflated + 1, 0x20));
    expect(statSync(over).size).toBeLessThanOrEqual(2048);
    expect(readWhole(listed(at)).kind).toBe('batch');
    expect(handedBack(listed(over))).toEqual({ bytes: readFileSync(over), complete: true });
  });
});

describe('wholeFileOf: which inputs are offered whole', () => {
  it('a local file of up to WHOLE_FILE_BYTES, not one byte more', () => {
    const line = '{"type":"track","userId":"a","event":"E"}\n';
    const at = writeFixture(dir, 'at.ndjson', line.padEnd(WHOLE_FILE_BYTES - 1, ' ') + '\n');
    const over = writeFixture(dir, 'over.ndjson', line.padEnd(WHOLE_FILE_BYTES, ' ') + '\n');
    expect(statSync(at).size).toBe(WHOLE_FILE_BYTES);
    expect(statSync(over).size).toBe(WHOLE_FILE_BYTES + 1);
    expect(wholeFileOf(listed(at), undefined, undefined)).toEqual({ path: at, display: 'at.ndjson', size: WHOLE_FILE_BYTES, format: undefined });
    expect(wholeFileOf(listed(over), undefined, undefined)).toBeUndefined();
  });

  it('is not offered resumed files, stdin, S3 objects or a forced JSON/CSV format', () => {
    const file = listed(writeFixture(dir, 'small.ndjson', '{"n":1}\n'));
    expect(wholeFileOf(file, undefined, undefined)).toMatchObject({ path: file.path, size: file.size });
    expect(wholeFileOf(file, { line: 0, offset: 0 }, undefined)).toBeDefined();
    expect(wholeFileOf(file, { line: 1, offset: 8 }, undefined)).toBeUndefined();
    expect(wholeFileOf({ ...file, path: '-' }, undefined, undefined)).toBeUndefined();
    expect(wholeFileOf({ ...file, remote: { etag: 'x', bytes: () => [] } }, undefined, undefined)).toBeUndefined();
    expect(wholeFileOf(file, undefined, 'json')).toBeUndefined();
    expect(wholeFileOf(file, undefined, 'csv')).toBeUndefined();
    expect(wholeFileOf({ ...file, format: 'csv' }, undefined, undefined)).toBeUndefined();
  });
});
