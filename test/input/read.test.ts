import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { InputItem } from '../../src/input/types.js';
import { WHOLE_FILE_BYTES } from '../../src/input/whole-file.js';
import { collect, inputFile, ndjsonLines, readItems, STDIN, stdinOf, tempDir, writeFixture } from './fixtures.js';

const dir = tempDir();

function labels(items: InputItem[]): Array<[string, number]> {
  return items.map((item) => [item.kind, item.line]);
}

describe('readItems: NDJSON', () => {
  const text = '{"type":"track","userId":"a"}\r\n\n{"type":"identify","userId":"ß"}\nnot json\n{"type":"track","userId":"c"}';

  it.each(['plain.ndjson', 'zipped.ndjson.gz'])('reads %s with lines, ends and malformed lines', async (name) => {
    const items = await collect(readItems(inputFile(writeFixture(dir, name, text))));
    expect(items).toEqual([
      { kind: 'record', file: name, line: 1, end: 31, value: { type: 'track', userId: 'a' } },
      { kind: 'record', file: name, line: 3, end: 66, value: { type: 'identify', userId: 'ß' } },
      {
        kind: 'malformed', file: name, line: 4, end: 75, raw: 'not json',
        reason: expect.stringMatching(/^invalid JSON: Unexpected token/),
      },
      { kind: 'record', file: name, line: 5, end: 104, value: { type: 'track', userId: 'c' } },
    ]);
  });

  it('detects gzip by its magic bytes whatever the name', async () => {
    const file = path.join(dir, 'hidden-gzip.ndjson');
    writeFileSync(file, gzipSync('{"a":1}\n'));
    expect(await collect(readItems(inputFile(file, 'ndjson')))).toEqual([
      { kind: 'record', file: 'hidden-gzip.ndjson', line: 1, end: 8, value: { a: 1 } },
    ]);
  });

  it('reads stdin delivered in pieces that split lines and characters', async () => {
    const bytes = Buffer.from('{"n":"é"}\n{"n":2}\n');
    const stdin = stdinOf(bytes.subarray(0, 7), bytes.subarray(7, 12), bytes.subarray(12));
    expect(labels(await collect(readItems(STDIN, { stdin })))).toEqual([['record', 1], ['record', 2]]);
  });

  it('reads gzipped stdin', async () => {
    const stdin = stdinOf(gzipSync('{"n":1}\n{"n":2}\n'));
    const items = await collect(readItems(STDIN, { stdin }));
    expect(items.map((item) => item.kind === 'record' && item.value)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  /** Batch sizes read from stdin delivered in pieces of `lines` lines each. */
  async function batchSizes(pieces: number[], limits: { lines: number; bytes: number }): Promise<number[]> {
    let n = 0;
    const stdin = stdinOf(...pieces.map((lines) => Array.from({ length: lines }, () => `{"n":${1000 + ++n}}\n`).join('')));
    const sizes: number[] = [];
    for await (const chunk of readItems(STDIN, { stdin, limits: { ...limits, quietMs: 1000 } })) sizes.push(chunk.length);
    return sizes;
  }

  it('cuts a batch after the piece read that reaches the line limit (N lines), not before (N - 1)', async () => {
    expect(await batchSizes([300, 199, 1, 300, 300], { lines: 500, bytes: 1 << 30 })).toEqual([500, 600]);
  });

  it('cuts a batch after the piece read that reaches the byte limit', async () => {
    // Lines of 10 bytes ('{"n":1001}'): 9 lines are 90 bytes, 10 reach the limit of 100.
    expect(await batchSizes([5, 4, 1, 3, 2], { lines: 1000, bytes: 100 })).toEqual([10, 5]);
  });

  it('hands on the lines read so far when the input goes quiet, before the rest arrives', async () => {
    const stdin = new PassThrough();
    stdin.write('{"n":1}\n{"n":2}\n');
    const chunks = readItems(STDIN, { stdin })[Symbol.asyncIterator]();
    // Nothing more is written until the first batch came out: a read loop that waited for a full
    // batch or the end of the input would hang here.
    const first = await chunks.next();
    expect(first.value).toEqual([
      { kind: 'record', file: 'stdin', line: 1, end: 8, value: { n: 1 } },
      { kind: 'record', file: 'stdin', line: 2, end: 16, value: { n: 2 } },
    ]);
    stdin.end('{"n":3}\n');
    expect(await collect({ [Symbol.asyncIterator]: () => chunks })).toEqual([{ kind: 'record', file: 'stdin', line: 3, end: 24, value: { n: 3 } }]);
  });

  it('resumes a plain file by seeking to the offset and numbering from the next line', async () => {
    const file = writeFixture(dir, 'seek.ndjson', '{"n":1}\n{"n":2}\n{"n":3}\n');
    // The offset points after line 2; garbage before it proves that the start was not read.
    writeFileSync(file, Buffer.concat([Buffer.from('xxxxxxx\nyyyyyyy\n'), Buffer.from('{"n":3}\n')]));
    const items = await collect(readItems(inputFile(file, 'ndjson'), { start: { line: 2, offset: 16 } }));
    expect(items).toEqual([{ kind: 'record', file: 'seek.ndjson', line: 3, end: 24, value: { n: 3 } }]);
  });

  it('resumes a gzipped file by skipping lines without parsing them', async () => {
    const file = writeFixture(dir, 'skip.ndjson.gz', 'bad\nbad\n{"n":3}\n');
    const items = await collect(readItems(inputFile(file, 'ndjson'), { start: { line: 2, offset: 8 } }));
    expect(items).toEqual([{ kind: 'record', file: 'skip.ndjson.gz', line: 3, end: 16, value: { n: 3 } }]);
  });

  it('yields the records of a truncated gzip, then one malformed item, then ends', async () => {
    const full = writeFixture(dir, 'cut.ndjson.gz', ndjsonLines(20000));
    const bytes = readFileSync(full);
    writeFileSync(full, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const items = await collect(readItems(inputFile(full)));
    const last = items[items.length - 1]!;
    const records = items.slice(0, -1);
    expect(records.length).toBeGreaterThan(1000);
    expect(records.every((item, i) => item.kind === 'record' && item.line === i + 1)).toBe(true);
    expect(last).toMatchObject({
      kind: 'malformed',
      line: records.length + 1,
      reason: 'gzip data is truncated or corrupt (unexpected end of file)',
    });
  });

  it('reports an unreadable file as one malformed item', async () => {
    const items = await collect(readItems(inputFile(path.join(dir, 'gone.ndjson'))));
    expect(items).toMatchObject([{ kind: 'malformed', line: 1, reason: expect.stringMatching(/^read error: ENOENT/) }]);
  });

  it('reads a .json file starting with { as NDJSON (a one-line object is one record)', async () => {
    const file = writeFixture(dir, 'single.json', '{\n"a": 1}\n');
    expect(labels(await collect(readItems(inputFile(file, 'json'))))).toEqual([['malformed', 1], ['malformed', 2]]);
    const one = writeFixture(dir, 'one.json', '{"a": 1}');
    expect(await collect(readItems(inputFile(one, 'json')))).toEqual([
      { kind: 'record', file: 'one.json', line: 1, end: 8, value: { a: 1 } },
    ]);
  });
});

describe('readItems: JSON array', () => {
  const text = '\uFEFF [\n {"type":"track"},\n 42,\n {"type":"identify"}\n]\n';

  it.each(['array.json', 'array.json.gz'])('yields %s elements numbered from 1, non-objects included', async (name) => {
    const items = await collect(readItems(inputFile(writeFixture(dir, name, text), 'json')));
    expect(items).toEqual([
      { kind: 'record', file: name, line: 1, end: 0, value: { type: 'track' } },
      { kind: 'record', file: name, line: 2, end: 0, value: 42 },
      { kind: 'record', file: name, line: 3, end: 0, value: { type: 'identify' } },
    ]);
  });

  it('is sniffed from an unknown extension and from stdin', async () => {
    const file = writeFixture(dir, 'array.data', '[{"a":1}]');
    expect(labels(await collect(readItems(inputFile(file))))).toEqual([['record', 1]]);
    expect(labels(await collect(readItems(STDIN, { stdin: stdinOf('  [{"a":1},', '{"b":2}]') })))).toEqual([
      ['record', 1],
      ['record', 2],
    ]);
  });

  it('yields the elements before a parse error, then one malformed item', async () => {
    const file = writeFixture(dir, 'broken.json', '[{"a":1},{"b":2},{"c":');
    const items = await collect(readItems(inputFile(file, 'json')));
    expect(labels(items)).toEqual([['record', 1], ['record', 2], ['malformed', 3]]);
    expect(items[2]).toMatchObject({ reason: expect.stringMatching(/^invalid JSON array \(element 3\): /) });
  });

  it('resumes by skipping elements up to start.line', async () => {
    const file = writeFixture(dir, 'resume.json.gz', '[{"n":1},{"n":2},{"n":3}]');
    const items = await collect(readItems(inputFile(file, 'json'), { start: { line: 2, offset: 0 } }));
    expect(items).toEqual([{ kind: 'record', file: 'resume.json.gz', line: 3, end: 0, value: { n: 3 } }]);
  });

  const small = { lines: 2, bytes: 1 << 20, quietMs: 1000 };

  it('ends at an element that is not valid JSON, in a later batch, with nothing after it', async () => {
    const elements = Array.from({ length: 9 }, (_, i) => (i === 4 ? '{"n":}' : `{"n":${i + 1}}`));
    const file = writeFixture(dir, 'bad-element.json', `[${elements.join(',')}]`);
    const items = await collect(readItems(inputFile(file, 'json'), { limits: small }));
    expect(labels(items)).toEqual([['record', 1], ['record', 2], ['record', 3], ['record', 4], ['malformed', 5]]);
    expect(items[4]).toMatchObject({ file: 'bad-element.json', end: 0, raw: '', reason: expect.stringMatching(/^invalid JSON array \(element 5\): /) });
  });

  it('yields the elements of a truncated gzip, then one malformed item at the next element', async () => {
    const array = Buffer.from(JSON.stringify(Array.from({ length: 20000 }, (_, i) => ({ type: 'track', userId: `u${i}`, event: 'E' }))));
    const full = writeFixture(dir, 'cut.json.gz', array);
    const bytes = readFileSync(full);
    writeFileSync(full, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const items = await collect(readItems(inputFile(full)));
    const records = items.slice(0, -1);
    expect(records.length).toBeGreaterThan(1000);
    expect(records.every((item, i) => item.kind === 'record' && item.line === i + 1)).toBe(true);
    expect(items.at(-1)).toMatchObject({ kind: 'malformed', line: records.length + 1, reason: 'gzip data is truncated or corrupt (unexpected end of file)' });
  });

  it('flags the elements that held invalid UTF-8, not a genuine U+FFFD', async () => {
    const bytes = Buffer.concat([Buffer.from('[{"e":"ok"},{"e":"Caf'), Buffer.from([0xc3]), Buffer.from('"},{"e":"real \uFFFD"}]')]);
    const items = await collect(readItems(inputFile(writeFixture(dir, 'utf8.json', bytes))));
    expect(items.map((item) => item.kind === 'record' && item.invalidUtf8 === true)).toEqual([false, true, false]);
  });

  it('reads elements that stdin delivers a few bytes at a time', async () => {
    const text = Buffer.from('[ {"s":"a,]\\"}"} , [1,[2]] ,"x"\n]');
    const pieces = Array.from({ length: Math.ceil(text.length / 3) }, (_, i) => text.subarray(i * 3, i * 3 + 3));
    const items = await collect(readItems(STDIN, { stdin: stdinOf(...pieces), limits: small }));
    expect(items.map((item) => item.kind === 'record' && item.value)).toEqual([{ s: 'a,]"}' }, [1, [2]], 'x']);
  });
});

describe('readItems: CSV', () => {
  const text =
    'type,userId,event,properties.price,traits.email\r\n' +
    'track,007,Order Completed,19.5,\r\n' +
    'identify,u2,,,"a@b.co"\r\n' +
    'track,u3,"Multi\nLine",1\r\n' +
    '\r\n' +
    'track,u4,E,2,x@y.z\r\n';

  it.each(['rows.csv', 'rows.csv.gz'])('reads %s rows with their starting line', async (name) => {
    const items = await collect(readItems(inputFile(writeFixture(dir, name, text))));
    expect(items).toEqual([
      {
        kind: 'record', file: name, line: 2, end: expect.any(Number),
        value: { type: 'track', userId: '007', event: 'Order Completed', properties: { price: 19.5 } },
      },
      { kind: 'record', file: name, line: 3, end: expect.any(Number), value: { type: 'identify', userId: 'u2', traits: { email: 'a@b.co' } } },
      { kind: 'malformed', file: name, line: 4, end: expect.any(Number), reason: 'row has 4 cells, header has 5', raw: 'track,u3,"Multi\nLine",1' },
      {
        kind: 'record', file: name, line: 7, end: expect.any(Number),
        value: { type: 'track', userId: 'u4', event: 'E', properties: { price: 2 }, traits: { email: 'x@y.z' } },
      },
    ]);
  });

  it('resumes by skipping rows up to start.line', async () => {
    const items = await collect(readItems(inputFile(writeFixture(dir, 'resume.csv', text)), { start: { line: 4, offset: 0 } }));
    expect(labels(items)).toEqual([['record', 7]]);
  });

  it('yields the rows before a syntax error, then one malformed item naming its line', async () => {
    const file = writeFixture(dir, 'quote.csv', 'userId,email\nu1,a\nu2,"open\n');
    const items = await collect(readItems(inputFile(file)));
    expect(items).toMatchObject([
      { kind: 'record', line: 2, value: { type: 'identify', userId: 'u1', traits: { email: 'a' } } },
      { kind: 'malformed', line: 3, reason: expect.stringMatching(/^invalid CSV: Quote Not Closed/) },
    ]);
  });

  it('numbers rows with multi-line cells by the line they start on, across batches', async () => {
    const csv = 'userId,note\n"u\n1","a\n\nb"\nu2,"c"\n\nu3,"d\r\ne"\r\nu4,x\n';
    const items = await collect(readItems(inputFile(writeFixture(dir, 'multi.csv', csv)), { limits: { lines: 1, bytes: 1 << 20, quietMs: 1000 } }));
    expect(items).toEqual([
      { kind: 'record', file: 'multi.csv', line: 2, end: 25, value: { type: 'identify', userId: 'u\n1', traits: { note: 'a\n\nb' } } },
      { kind: 'record', file: 'multi.csv', line: 6, end: 32, value: { type: 'identify', userId: 'u2', traits: { note: 'c' } } },
      { kind: 'record', file: 'multi.csv', line: 8, end: 44, value: { type: 'identify', userId: 'u3', traits: { note: 'd\r\ne' } } },
      { kind: 'record', file: 'multi.csv', line: 10, end: 49, value: { type: 'identify', userId: 'u4', traits: { note: 'x' } } },
    ]);
  });

  it('yields the rows before a quote out of place mid-file, then one malformed item at its line, and nothing after', async () => {
    const csv = 'userId,email\nu1,a\n\nu2,"b"x\nu3,c\n';
    const items = await collect(readItems(inputFile(writeFixture(dir, 'closing.csv', csv)), { limits: { lines: 1, bytes: 1 << 20, quietMs: 1000 } }));
    expect(items).toMatchObject([
      { kind: 'record', line: 2 },
      { kind: 'malformed', line: 4, end: 0, raw: '', reason: expect.stringMatching(/^invalid CSV: Invalid Closing Quote: got "x" at line 4 /) },
    ]);
    expect(items).toHaveLength(2);
  });

  it('flags the rows that held invalid UTF-8, not a genuine U+FFFD', async () => {
    const bytes = Buffer.concat([Buffer.from('userId,event\nu1,ok\nu2,Caf'), Buffer.from([0xc3]), Buffer.from('\nu3,real \uFFFD\n')]);
    const items = await collect(readItems(inputFile(writeFixture(dir, 'utf8.csv', bytes))));
    expect(items.map((item) => item.kind === 'record' && item.invalidUtf8 === true)).toEqual([false, true, false]);
  });

  it('sniffs CSV on stdin', async () => {
    const items = await collect(readItems(STDIN, { stdin: stdinOf('user_id,event_text\nu1,Signed Up\n') }));
    expect(items).toMatchObject([{ kind: 'record', line: 2, value: { type: 'track', userId: 'u1', event: 'Signed Up' } }]);
  });

  it('reads the warehouse example of reference §D.2', async () => {
    const csv =
      'id,received_at,user_id,anonymous_id,event,event_text,context_ip,uuid_ts,total,products\n' +
      'm1,2025-03-02 10:15:00.812,u_10482,,order_completed,Order Completed,203.0.113.7,2025-03-02 10:20:00,27.5,' +
      '"[{""sku"":""45790-32"",""price"":19}]"\n';
    const items = await collect(readItems(inputFile(writeFixture(dir, 'warehouse.csv', csv))));
    expect(items).toMatchObject([
      {
        kind: 'record',
        line: 2,
        value: {
          type: 'track',
          messageId: 'm1',
          receivedAt: '2025-03-02T10:15:00.812Z',
          userId: 'u_10482',
          event: 'Order Completed',
          context: { ip: '203.0.113.7' },
          properties: { total: 27.5, products: [{ sku: '45790-32', price: 19 }] },
        },
      },
    ]);
    expect(Object.keys((items[0] as { value: object }).value).sort()).toEqual(
      ['context', 'event', 'messageId', 'properties', 'receivedAt', 'type', 'userId'],
    );
  });
});

describe('readItems: stopping and damage', () => {
  it('lets the consumer stop early', async () => {
    // Stored, not deflated: over WHOLE_FILE_BYTES, so read as a stream (a file read whole is one batch).
    const file = path.join(dir, 'stop.ndjson.gz');
    writeFileSync(file, gzipSync(ndjsonLines(8000), { level: 0 }));
    expect(statSync(file).size).toBeGreaterThan(WHOLE_FILE_BYTES);
    let seen = 0;
    for await (const chunk of readItems(inputFile(file))) {
      seen += chunk.length;
      break;
    }
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(8000);
  });

  it('reports a file that is not gzip inside although it starts like one', async () => {
    const file = writeFixture(dir, 'bad-header.ndjson', Buffer.from([0x1f, 0x8b, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09]));
    const items = await collect(readItems(inputFile(file, 'ndjson')));
    expect(items).toMatchObject([{ kind: 'malformed', line: 1, reason: expect.stringMatching(/^gzip data is truncated or corrupt \(/) }]);
  });

  it('rejects a sniffed file whose first line names no Segment field, instead of reading nonsense rows', async () => {
    const dir = tempDir();
    const text = writeFixture(dir, 'notes.txt', 'hello world\nsecond line\n');
    const binary = writeFixture(dir, 'image.bin', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x01]));
    for (const file of [text, binary]) {
      const items = await collect(readItems(inputFile(file)));
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ kind: 'malformed', line: 1 });
      expect((items[0] as { reason: string }).reason).toMatch(/^not a Segment CSV export/);
    }
  });

  it('reads a CSV with a BOM', async () => {
    const file = writeFixture(dir, 'bom.csv', '\uFEFFuser_id,plan\nu1,pro\n');
    expect(await collect(readItems(inputFile(file)))).toMatchObject([
      { kind: 'record', line: 2, value: { type: 'identify', userId: 'u1', traits: { plan: 'pro' } } },
    ]);
  });
});

describe('readItems: empty inputs', () => {
  it.each([
    ['empty.ndjson', 'ndjson'],
    ['empty.csv', 'csv'],
    ['empty.json', 'json'],
    ['empty.ndjson.gz', 'ndjson'],
    ['header-only.csv.gz', 'csv'],
    ['empty-array.json.gz', 'json'],
  ] as const)('reads %s as no items', async (name, format) => {
    const content = name.startsWith('header') ? 'userId,email\n' : name.startsWith('empty-array') ? '[ ]' : '';
    expect(await collect(readItems(inputFile(writeFixture(dir, name, content), format)))).toEqual([]);
  });
});
