import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { forEachLine } from '../../src/input/line-batches.js';
import { parseLine } from '../../src/input/ndjson.js';
import type { InputFile, InputItem } from '../../src/input/types.js';
import { readWholeFile, WHOLE_FILE_BYTES, wholeFileOf } from '../../src/input/whole-file.js';
import { collect, inputFile, readItems, tempDir, writeFixture } from './fixtures.js';

const dir = tempDir();

/** The InputFile of a written fixture, with its real size (what discover lists). */
function listed(file: string, format?: InputFile['format']): InputFile {
  return { ...inputFile(file, format), size: statSync(file).size };
}

/** What a worker makes of a file read whole: its lines parsed as a planning worker parses them. */
function wholeItems(file: InputFile): InputItem[] | undefined {
  const whole = wholeFileOf(file, undefined, undefined);
  const batch = whole && readWholeFile(whole);
  if (batch === undefined) return undefined;
  const items: InputItem[] = [];
  forEachLine(batch, (text, line, end, invalidUtf8) => {
    const item = parseLine(batch.file, text, line, end, invalidUtf8);
    if (item) items.push(item);
  });
  return items;
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
      const file = listed(writeFixture(dir, `${what.replace(/\W+/g, '-')}/${name}`, text));
      const usual = await collect(readItems(file));
      expect(wholeItems(file)).toEqual(usual);
    });
  }

  it('reads a gzip file of several members whole, as gunzip does', async () => {
    const file = path.join(dir, 'members.gz');
    writeFileSync(file, Buffer.concat([gzipSync('{"n":1}\n'), gzipSync('{"n":2}\n')]));
    const items = wholeItems(listed(file));
    expect(items).toEqual(await collect(readItems(listed(file))));
    expect(items?.map((i) => i.kind === 'record' && i.value)).toEqual([{ n: 1 }, { n: 2 }]);
  });
});

describe('readWholeFile: anything but the plain case is left to the usual read loop', () => {
  it('a damaged gzip (the usual loop reports it at its line)', () => {
    const zipped = gzipSync('{"n":1}\n{"n":2}\n'.repeat(50));
    const file = path.join(dir, 'truncated.gz');
    writeFileSync(file, zipped.subarray(0, zipped.length - 20));
    expect(wholeItems(listed(file))).toBeUndefined();
  });

  it('a JSON array or CSV, sniffed', () => {
    expect(wholeItems(listed(writeFixture(dir, 'array.gz', '[{"n":1}]')))).toBeUndefined();
    expect(wholeItems(listed(writeFixture(dir, 'table.txt', 'type,userId\ntrack,a\n')))).toBeUndefined();
  });

  it('a file that changed size since it was listed, or is gone', () => {
    const file = writeFixture(dir, 'grown.ndjson', '{"n":1}\n');
    const before = listed(file);
    writeFileSync(file, '{"n":1}\n{"n":2}\n');
    expect(wholeItems(before)).toBeUndefined();
    expect(wholeItems({ ...before, path: path.join(dir, 'missing.ndjson') })).toBeUndefined();
  });

  it('a gzip that inflates past the limit', () => {
    const file = path.join(dir, 'bomb.gz');
    writeFileSync(file, gzipSync(Buffer.alloc(40 << 20, 0x20)));
    expect(statSync(file).size).toBeLessThan(WHOLE_FILE_BYTES);
    expect(wholeItems(listed(file))).toBeUndefined();
  });

  it('is not offered large files, resumed files, stdin, S3 objects or a forced JSON/CSV format', () => {
    const file = listed(writeFixture(dir, 'small.ndjson', '{"n":1}\n'));
    expect(wholeFileOf(file, undefined, undefined)).toMatchObject({ path: file.path, size: file.size });
    expect(wholeFileOf(file, { line: 0, offset: 0 }, undefined)).toBeDefined();
    expect(wholeFileOf({ ...file, size: WHOLE_FILE_BYTES + 1 }, undefined, undefined)).toBeUndefined();
    expect(wholeFileOf(file, { line: 1, offset: 8 }, undefined)).toBeUndefined();
    expect(wholeFileOf({ ...file, path: '-' }, undefined, undefined)).toBeUndefined();
    expect(wholeFileOf({ ...file, remote: { etag: 'x', bytes: () => [] } }, undefined, undefined)).toBeUndefined();
    expect(wholeFileOf(file, undefined, 'json')).toBeUndefined();
    expect(wholeFileOf(file, undefined, 'csv')).toBeUndefined();
    expect(wholeFileOf({ ...file, format: 'csv' }, undefined, undefined)).toBeUndefined();
  });
});
