import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildMessage, headerProblem, planColumns, type ColumnPlan } from '../../src/input/csv/csv-columns.js';
import { csvFailure, csvRows, isBlankRow, rowStartLine } from '../../src/input/csv/csv.js';
import { CsvSplitter } from '../../src/input/csv/csv-splitter.js';
import type { InputItem, ReadStart } from '../../src/input/types.js';
import { collect, readItems, STDIN, stdinOf } from './fixtures.js';

/** What the splitter handed out (each row's text, start line and end offset), its header, and what broke it. */
interface Split {
  readonly rows: Array<[string, number, number]>;
  readonly width?: number;
  readonly broken?: { readonly line: number; readonly reason: string };
}

function split(chunks: Buffer[], start?: ReadStart): Split {
  const splitter = new CsvSplitter('t.csv', start);
  const rows: Array<[string, number, number]> = [];
  const onRecord = (buf: Buffer, from: number, to: number, line: number, end: number) => void rows.push([buf.toString('utf8', from, to), line, end]);
  for (const chunk of chunks) {
    splitter.pushBytes(chunk, onRecord);
    if (splitter.broken) break;
  }
  if (!splitter.broken) splitter.endBytes(onRecord);
  const { broken, form } = splitter;
  return { rows, ...(form && { width: form.width }), ...(broken && { broken: { line: broken.line, reason: broken.reason } }) };
}

const cut = (text: Buffer, at: number) => [text.subarray(0, at), text.subarray(at)];
const bytes = (text: Buffer) => Array.from(text, (b) => Buffer.from([b]));

const text = Buffer.from(
  '\uFEFFuserId,event,properties.note\r\n' + // line 1, the header
  'u1,A,plain\r\n' + // 2
  '\r\n' + // 3: empty
  '"u2","B","two\nlines, a comma and ""quotes"""\n' + // 4-5
  '\n' + // 6: empty
  'u3,C,"crlf\r\ninside"\r\n' + // 7-8
  '  \n' + // 9: a row of one blank cell (the worker leaves it out)
  'u4,D,"",\n' + // 10: four cells (the worker says so)
  'u5,E,last\r', // 11: no newline at the end; the "\r" is the cell's
);
const rows: Array<[string, number, number]> = [
  ['u1,A,plain', 2, 45],
  ['"u2","B","two\nlines, a comma and ""quotes"""', 4, 92],
  ['u3,C,"crlf\r\ninside"', 7, 114],
  ['  ', 9, 117],
  ['u4,D,"",', 10, 126],
  ['u5,E,last\r', 11, 136],
];

describe('CsvSplitter', () => {
  it('cuts rows at unquoted newlines, each at the line it starts on, and compiles the header', () => {
    expect(text.length).toBe(136);
    expect(split([text])).toEqual({ rows, width: 3 });
  });

  it('cuts the same wherever the chunks end, even a byte at a time', () => {
    for (let at = 0; at <= text.length; at++) expect(split(cut(text, at))).toEqual({ rows, width: 3 });
    expect(split(bytes(text))).toEqual({ rows, width: 3 });
  });

  it('passes over the rows up to the resume point, but reads the header', () => {
    for (let line = 0; line <= 12; line++) {
      const expected = { rows: rows.filter(([, start]) => start > line), width: 3 };
      for (let at = 0; at <= text.length; at++) expect(split(cut(text, at), { line, offset: 0 })).toEqual(expected);
    }
  });

  it('leaves out a byte order mark before a quoted header name', () => {
    expect(split(bytes(Buffer.from('\uFEFF"userId",x\nu1,a')))).toEqual({ rows: [['u1,a', 2, 18]], width: 2 });
  });

  it('stops at a quote out of place at once, without reading on', () => {
    const splitter = new CsvSplitter('t.csv');
    splitter.pushBytes(Buffer.from('userId,x\nu1,a"b,c\nu2,"'), () => undefined);
    expect(splitter.broken).toMatchObject({ line: 2, reason: expect.stringMatching(/^invalid CSV: Invalid Opening Quote/) });
  });

  it('takes the first row that is not empty as the header', () => {
    expect(split([Buffer.from('\n\r\nuserId\nu1')])).toEqual({ rows: [['u1', 4, 12]], width: 1 });
  });

  it('ends the input at a header that names no Segment field', () => {
    expect(split([Buffer.from('hello world\nsecond line\n')]).broken).toEqual({
      line: 1,
      reason: expect.stringMatching(/^not a Segment CSV export/),
    });
  });

  it.each([
    ['a quote inside a cell', 'userId,x\nu1,a\nu2,ab"c\nu3,d\n', 3, /^invalid CSV: Invalid Opening Quote: a quote is found on field 1 at line 3, value is "ab"$/],
    ['text after a closing quote', 'userId,x\nu1,"a"b\n', 2, /^invalid CSV: Invalid Closing Quote: got "b" at line 2 /],
    ['a "\\r" after a closing quote, not followed by "\\n"', 'userId,x\nu1,"a"\rb\n', 2, /^invalid CSV: Invalid Closing Quote: got "\r" at line 2 /],
    ['a "\\r" after a closing quote at the end', 'userId,x\nu1,"a"\r', 2, /^invalid CSV: Invalid Closing Quote: got "\r" at line 2 /],
    ['a quote not closed at the end', 'userId,x\nu1,a\nu2,"open\nmore\n', 4, /^invalid CSV: Quote Not Closed: the parsing is finished with an opening quote at line 4$/],
    ['a quote not closed in a multi-line row', 'userId,x\n\nu1,"a\nb"\nu2,"c\n\nd', 7, /^invalid CSV: Quote Not Closed: .* at line 7$/],
    ['a broken header', 'user"Id,x\nu1,a\n', 1, /^invalid CSV: Invalid Opening Quote: a quote is found on field 0 at line 1, value is "user"$/],
  ])('ends the input at %s, with csv-parse\'s reason at the line of the file', (_what, csv, line, reason) => {
    const whole = Buffer.from(csv);
    for (let at = 0; at <= whole.length; at++) {
      const got = split(cut(whole, at));
      expect(got.broken).toEqual({ line, reason: expect.stringMatching(reason) });
      expect(got.rows.every(([, start]) => start < line)).toBe(true);
    }
  });

  it('reports a read error after the last row that was not empty', () => {
    const splitter = new CsvSplitter('t.csv');
    splitter.pushBytes(Buffer.from('userId\nu1\n\n\nu2,"a\nb'), () => undefined);
    expect(splitter.readFailure(new Error('boom'))).toMatchObject({ kind: 'malformed', line: 3, end: 0, reason: 'read error: boom' });
  });
});

/**
 * The CSV reader this replaced, kept as the oracle: csv-parse's stream over the whole file, the row
 * at the line csv-parse says it starts on. One change: csv-parse's "Invalid Opening Quote" (code
 * INVALID_OPENING_QUOTE, without the CSV_ prefix) was reported as a read error after the last row;
 * it is an invalid CSV at its line, like the other quote errors.
 */
async function oracle(csv: Buffer): Promise<InputItem[]> {
  const items: InputItem[] = [];
  let plan: ColumnPlan | undefined;
  let width = 0;
  let last = 0;
  try {
    for await (const chunk of csvRows(Readable.from([csv]))) {
      for (const row of chunk) {
        last = row.info.lines;
        if (plan === undefined) {
          plan = planColumns(row.record);
          width = row.record.length;
          if (headerProblem(plan)) throw new Error('the oracle is for valid headers');
          continue;
        }
        const line = rowStartLine(row);
        const end = row.info.bytes;
        if (isBlankRow(row.record)) continue;
        if (row.record.length !== width) {
          items.push({ kind: 'malformed', file: 'stdin', line, end, reason: `row has ${row.record.length} cells, header has ${width}`, raw: row.raw.trim() });
        } else items.push({ kind: 'record', file: 'stdin', line, end, value: buildMessage(plan, row.record) });
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'INVALID_OPENING_QUOTE') Object.assign(error as object, { code: 'CSV_INVALID_OPENING_QUOTE' });
    items.push({ ...csvFailure('stdin', last, error), file: 'stdin' });
  }
  return items;
}

describe('CSV read in batches, against the csv-parse stream it replaced', () => {
  let seed = 11;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

  /** A random CSV under a valid header: cells, quotes (doubled, misplaced, unclosed), commas, newlines. */
  function randomCsv(pieces: readonly string[], most = 60): Buffer {
    let body = '';
    for (let n = Math.floor(random() * most); n > 0; n--) body += pick(pieces);
    return Buffer.from(`userId,event,properties.x${pick(['\n', '\r\n'])}${body}`);
  }

  /** Reads `csv` the way a replay does: cut in random pieces, in batches of `lines` rows, parsed as a worker parses them. */
  async function read(csv: Buffer, lines = 3): Promise<InputItem[]> {
    const pieces: Buffer[] = [];
    for (let at = 0; at < csv.length; ) {
      const size = 1 + Math.floor(random() * 12);
      pieces.push(csv.subarray(at, at + size));
      at += size;
    }
    const items = await collect(readItems(STDIN, { stdin: stdinOf(...pieces), format: 'csv', limits: { lines, bytes: 1 << 20, quietMs: 1000 } }));
    return items.map((item) => (item.kind === 'record' ? { ...item, value: { ...(item.value as object) } } : item));
  }

  it('gives the same records, rows and errors at the same lines (newlines without "\\r")', async () => {
    const pieces = ['a', 'bc', '1', ' ', ',', ',', '"', '""', '\n', '\n', '"x,\ny"', '{"k":1}', 'é'];
    for (let round = 0; round < 300; round++) {
      const csv = randomCsv(pieces);
      expect(await read(csv), csv.toString()).toEqual(await oracle(csv));
    }
  });

  it('gives the same records and errors with "\\r\\n" and lone "\\r" (whose lines csv-parse counts its own way)', async () => {
    const pieces = ['a', ',', '"', '""', '\n', '\r\n', '\r', '"q\r\nq"'];
    const unnumbered = (items: InputItem[]) =>
      items.map((item) => (item.kind === 'record' ? item.value : [item.reason.replace(/ at line \d+/, ''), item.raw]));
    for (let round = 0; round < 300; round++) {
      const csv = randomCsv(pieces);
      expect(unnumbered(await read(csv)), JSON.stringify(csv.toString())).toEqual(unnumbered(await oracle(csv)));
    }
  });

  it('gives the same in batches of many rows, whose cells are cut a few rows at a time', async () => {
    const pieces = ['a', ',', '1', '"', '""', '\n', '\n', '\n', '\r\n', '\r', '"q\r\nq"', 'é'];
    const unnumbered = (items: InputItem[]) =>
      items.map((item) => (item.kind === 'record' ? item.value : [item.reason.replace(/ at line \d+/, ''), item.raw]));
    for (let round = 0; round < 100; round++) {
      const csv = randomCsv(pieces, 800);
      expect(unnumbered(await read(csv, 100)), JSON.stringify(csv.toString())).toEqual(unnumbered(await oracle(csv)));
    }
  });
});
