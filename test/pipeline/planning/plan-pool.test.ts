import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InputFile } from '../../../src/input/types.js';
import { WHOLE_FILE_BYTES } from '../../../src/input/whole-file.js';
import type { MappingSettings } from '../../../src/transform/types.js';
import { tempDir } from '../../input/fixtures.js';
import { SampleNeed } from '../../../src/pipeline/planning/sample-need.js';

// The pool starts real planning workers, which run the built code.
const built = new URL('../../../dist/pipeline/planning/plan-pool.js', import.meta.url);
type Pool = typeof import('../../../src/pipeline/planning/plan-pool.js');
let PlanPool: Pool['PlanPool'];
beforeAll(async () => {
  if (!existsSync(built)) throw new Error('Run `npm run build` first: worker tests load dist/');
  ({ PlanPool } = (await import(built.href)) as Pool);
});

const mapping: MappingSettings = {
  preset: 'classic', pages: 'none', purchases: 'order-completed', time: 'timestamp', updateExistingOnly: false,
  appId: undefined, includeBrazeEvents: false, since: undefined, until: undefined,
};

const dir = tempDir();
const track = (user: string, n: number) => JSON.stringify({ type: 'track', userId: user, event: `E${n}`, messageId: `${user}-${n}`, timestamp: '2025-01-02T03:04:05Z' });
const lines = (user: string, n: number) => Array.from({ length: n }, (_, i) => track(user, i)).join('\n') + '\n';

/**
 * `gzip` made `size` bytes long by a comment in its header (FCOMMENT, RFC 1952 2.3.1), which gunzip
 * skips: the content is the same at any size.
 */
function gzipOfSize(gzip: Buffer, size: number): Buffer {
  const comment = Buffer.alloc(size - gzip.length, 0x20);
  comment[comment.length - 1] = 0;
  return Buffer.concat([gzip.subarray(0, 3), Buffer.from([gzip[3]! | 0x10]), gzip.subarray(4, 10), comment, gzip.subarray(10)]);
}

/** `text` made `size` bytes long by blank lines after it, which no reader counts as records. */
function textOfSize(text: string, size: number): Buffer {
  return Buffer.from(text + '\n'.repeat(size - Buffer.byteLength(text)));
}

/**
 * Inputs of every kind the pool meets, each `size` bytes on disk: plain and gzipped NDJSON, damaged
 * gzip, array, CSV, blank. At WHOLE_FILE_BYTES a worker is offered them whole; one byte more, and
 * this thread reads them.
 */
function inputs(size: number): InputFile[] {
  const folder = path.join(dir, String(size));
  mkdirSync(folder);
  const zipped = gzipOfSize(gzipSync(lines('cut', 40)), size + 30);
  const contents: Array<[string, Buffer]> = [
    ['01-plain.ndjson', textOfSize(lines('a', 3) + '\n\nnot json\n' + track('a', 99), size)],
    ['02-zipped.gz', gzipOfSize(gzipSync(lines('b', 600)), size)],
    ['03-blank.ndjson', textOfSize('', size)],
    ['04-array.json', textOfSize(`[${track('c', 1)},${track('c', 2)}]`, size)],
    ['05-truncated.gz', zipped.subarray(0, zipped.length - 30)],
    ['06-table.csv', textOfSize('type,userId,event,messageId,timestamp\ntrack,d,E1,d-1,2025-01-02T03:04:05Z\n', size)],
    ['07-crlf.ndjson', textOfSize(lines('e', 5).replaceAll('\n', '\r\n'), size)],
  ];
  return contents.map(([name, bytes]) => {
    const file = path.join(folder, name);
    writeFileSync(file, bytes);
    return { path: file, display: name, format: undefined, gzip: name.endsWith('.gz'), size: bytes.length, mtimeMs: 0 };
  });
}

/**
 * Every planned record of the inputs, in order, as the pool hands them out (file, line, fate, objects).
 * `ahead`: the pool is told the run's inputs, and starts the next ones (small files go in groups);
 * else each input is read alone, in its turn.
 */
async function planAll(files: InputFile[], ahead = true): Promise<string[]> {
  const pool = new PlanPool({ mapping, diff: 'none', format: undefined, stdin: process.stdin, workers: 2, onDefs: () => undefined });
  const out: string[] = [];
  try {
    for (let index = 0; index < files.length; index++) {
      for await (const chunk of pool.read(files[index]!, undefined, index, ahead ? files : [])) {
        for (const p of chunk) out.push(`${p.file}:${p.line} ${p.fate} ${p.end} ${p.items.map((i) => i.json).join(' ')}`);
      }
    }
  } finally {
    await pool.close();
  }
  return out;
}

describe('PlanPool: small files read whole by a worker', () => {
  it('plans a file of WHOLE_FILE_BYTES (offered whole) as one a byte over (read here), taken or handed back', async () => {
    const at = inputs(WHOLE_FILE_BYTES);
    const over = inputs(WHOLE_FILE_BYTES + 1);
    expect(at.map((f) => f.size)).toEqual(at.map(() => WHOLE_FILE_BYTES));
    expect(over.map((f) => f.size)).toEqual(over.map(() => WHOLE_FILE_BYTES + 1));
    const usual = await planAll(over);
    expect(await planAll(at)).toEqual(usual);
    // The inputs are what they say: every kind gave records, the damaged gzip its read failure last.
    const fates = (name: string) => usual.filter((r) => r.startsWith(name)).map((r) => r.split(' ')[1]);
    expect(fates('01-plain.ndjson')).toEqual(['records.sent', 'records.sent', 'records.sent', 'records.rejected', 'records.sent']);
    expect(fates('02-zipped.gz')).toHaveLength(600);
    expect(fates('03-blank.ndjson')).toEqual([]);
    expect(fates('04-array.json')).toEqual(['records.sent', 'records.sent']);
    expect(fates('05-truncated.gz').length).toBeGreaterThan(1);
    expect(fates('05-truncated.gz').at(-1)).toBe('records.rejected');
    expect(fates('06-table.csv')).toEqual(['records.sent']);
    expect(fates('07-crlf.ndjson')).toHaveLength(5);
  });
});

describe('PlanPool: an input that ends at a record its worker could not parse', () => {
  /**
   * A JSON array of 1,000 tracks, each with an anonymousId (so that each gives a link in the index
   * pass), whose element 600 is not valid JSON (its brackets are whole: the worker finds it) and which
   * then stops short of its "]" (a failure the run thread finds, never reached), and a second input
   * after it. Its 650 KB are read in chunks of 64 KiB, cut into batches of at least 250 elements:
   * element 600 is in the third, and the fourth is read and planned after it.
   */
  function inputsWithBrokenElement(): InputFile[] {
    const folder = path.join(dir, 'broken-element');
    mkdirSync(folder, { recursive: true });
    const element = (i: number) => (i === 600 ? '{"type":"track","userId":}' : JSON.stringify({ ...JSON.parse(track(`a${i}`, i)), anonymousId: `anon${i}`, context: { pad: 'x'.repeat(500) } }));
    const files: Array<[string, string]> = [
      ['1-array.json', `[${Array.from({ length: 1000 }, (_, i) => element(i + 1)).join(',\n')}`],
      ['2-next.ndjson', lines('next', 3)],
    ];
    return files.map(([name, text]) => {
      const file = path.join(folder, name);
      writeFileSync(file, text);
      return { path: file, display: name, format: undefined, gzip: false, size: Buffer.byteLength(text), mtimeMs: 0 };
    });
  }

  it('plans the records before it, rejects it, and reads nothing after it in that input', async () => {
    const files = inputsWithBrokenElement();
    expect(files[0]!.size).toBeGreaterThan(2 * WHOLE_FILE_BYTES);
    const planned = await planAll(files);
    const array = planned.filter((r) => r.startsWith('1-array.json'));
    expect(array.slice(0, 599).every((r, i) => r.startsWith(`1-array.json:${i + 1} records.sent`))).toBe(true);
    expect(array.slice(599)).toEqual([expect.stringMatching(/^1-array\.json:600 records\.rejected /)]);
    expect(planned.filter((r) => r.startsWith('2-next.ndjson'))).toHaveLength(3);
  });

  it('gives the links of the records before it in the index pass (--stitch), and none after', async () => {
    const [array, next] = inputsWithBrokenElement();
    const pool = new PlanPool({ mapping, diff: 'none', format: undefined, stdin: process.stdin, workers: 2, onDefs: () => undefined, mode: 'links' });
    const linked: number[] = [];
    let last: number | undefined;
    try {
      for await (const chunk of pool.links(array!, undefined, 0, [array!, next!])) {
        linked.push(...chunk.linkLines);
        last = chunk.last?.line ?? last;
      }
    } finally {
      await pool.close();
    }
    expect(linked).toEqual(Array.from({ length: 599 }, (_, i) => i + 1));
    expect(last).toBe(600);
  });
});

describe('PlanPool: small files go to the workers in groups', () => {
  it('plans many small files of every kind in groups as it plans them one at a time, in input order', async () => {
    const folder = path.join(dir, 'many');
    mkdirSync(folder);
    const kinds: Array<(n: number) => [string, Buffer]> = [
      (n) => [`${n}.gz`, gzipSync(lines(`u${n}`, 1 + (n % 4)))],
      (n) => [`${n}.ndjson`, Buffer.from(lines(`p${n}`, 2) + 'not json\n')],
      (n) => [`${n}-damaged.gz`, gzipSync(lines(`d${n}`, 30)).subarray(0, 60)],
      (n) => [`${n}-blank.ndjson`, Buffer.from('\n\n')],
    ];
    const files = Array.from({ length: 90 }, (_, n) => {
      const [name, bytes] = n === 45 ? ['45.csv', Buffer.from('type,userId,event,messageId,timestamp\ntrack,c,E1,c-1,2025-01-02T03:04:05Z\n')] : n % 7 === 3 ? kinds[2 + (n % 2)]!(n) : kinds[n % 2]!(n);
      const file = path.join(folder, name.padStart(16, '0'));
      writeFileSync(file, bytes);
      return { path: file, display: path.basename(file), format: undefined, gzip: name.endsWith('.gz'), size: bytes.length, mtimeMs: 0 };
    });
    const alone = await planAll(files, false);
    expect(await planAll(files)).toEqual(alone);
    expect(alone.filter((r) => r.includes('.gz:')).length).toBeGreaterThan(80);
    expect(alone.filter((r) => r.includes('damaged.gz:') && r.includes('records.rejected')).length).toBeGreaterThan(5);
    expect(alone.filter((r) => r.startsWith('000000000045.csv')).map((r) => r.split(' ')[1])).toEqual(['records.sent']);
  });
});

describe('PlanPool: sample texts for the page', () => {
  it('stops writing them in every worker once told the page has them all', async () => {
    const folder = path.join(dir, 'samples');
    mkdirSync(folder);
    const files = ['a.gz', 'b.gz', 'c.gz', 'd.gz'].map((name): InputFile => {
      const file = path.join(folder, name);
      const bytes = gzipSync(lines(name, 3));
      writeFileSync(file, bytes);
      return { path: file, display: name, format: undefined, gzip: true, size: bytes.length, mtimeMs: 0 };
    });
    const samples = new SampleNeed();
    const pool = new PlanPool({ mapping, diff: 'summary', format: undefined, stdin: process.stdin, workers: 2, onDefs: () => undefined, samples });
    const sampled = async (index: number) => {
      const lines: number[] = [];
      for await (const chunk of pool.read(files[index]!, undefined, index)) for (const p of chunk) if (p.source !== undefined) lines.push(p.line);
      return lines;
    };
    try {
      expect([await sampled(0), await sampled(1)]).toEqual([[1, 2], [1, 2]]);
      samples.stop();
      expect([await sampled(2), await sampled(3)]).toEqual([[], []]);
    } finally {
      await pool.close();
    }
  });
});
