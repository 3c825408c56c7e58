import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InputFile } from '../../../src/input/types.js';
import type { MappingSettings } from '../../../src/transform/types.js';
import { tempDir, writeFixture } from '../../input/fixtures.js';

// The pool starts real planning workers, which run the built code.
const built = new URL('../../../dist/pipeline/planning/plan-pool.js', import.meta.url);
type Pool = typeof import('../../../src/pipeline/planning/plan-pool.js');
let PlanPool: Pool['PlanPool'];
let filesAfter: Pool['filesAfter'];
beforeAll(async () => {
  if (!existsSync(built)) throw new Error('Run `npm run build` first: worker tests load dist/');
  ({ PlanPool, filesAfter } = (await import(built.href)) as Pool);
});

const mapping: MappingSettings = {
  preset: 'classic', pages: 'none', purchases: 'order-completed', time: 'timestamp', updateExistingOnly: false,
  appId: undefined, includeBrazeEvents: false, since: undefined, until: undefined,
};

const dir = tempDir();
const track = (user: string, n: number) => JSON.stringify({ type: 'track', userId: user, event: `E${n}`, messageId: `${user}-${n}`, timestamp: '2025-01-02T03:04:05Z' });
const lines = (user: string, n: number) => Array.from({ length: n }, (_, i) => track(user, i)).join('\n') + '\n';

/** Inputs of every kind the pool meets: small plain and gzipped NDJSON, damaged, array, CSV, blank. */
function inputs(): InputFile[] {
  const zipped = gzipSync(lines('cut', 40));
  writeFileSync(path.join(dir, '05-truncated.gz'), zipped.subarray(0, zipped.length - 30));
  const names = [
    writeFixture(dir, '01-plain.ndjson', lines('a', 3) + '\n\nnot json\n' + track('a', 99)),
    writeFixture(dir, '02-zipped.gz', lines('b', 600)),
    writeFixture(dir, '03-empty.ndjson', ''),
    writeFixture(dir, '04-array.json', `[${track('c', 1)},${track('c', 2)}]`),
    path.join(dir, '05-truncated.gz'),
    writeFixture(dir, '06-table.csv', 'type,userId,event,messageId,timestamp\ntrack,d,E1,d-1,2025-01-02T03:04:05Z\n'),
    writeFixture(dir, '07-crlf.ndjson', lines('e', 5).replaceAll('\n', '\r\n')),
  ];
  return names.map((file) => ({ path: file, display: path.basename(file), format: undefined, gzip: file.endsWith('.gz'), size: statSync(file).size, mtimeMs: 0 }));
}

/** Every planned record of the inputs, in order, as the pool hands them out (file, line, fate, objects). */
async function planAll(files: InputFile[], wholeFileBytes: number): Promise<string[]> {
  const pool = new PlanPool({ mapping, diff: 'none', format: undefined, stdin: process.stdin, workers: 2, onDefs: () => undefined, wholeFileBytes });
  const out: string[] = [];
  try {
    for (let index = 0; index < files.length; index++) {
      for await (const chunk of pool.read(files[index]!, undefined, index, filesAfter(files, index))) {
        for (const p of chunk) out.push(`${p.file}:${p.line} ${p.fate} ${p.end} ${p.items.map((i) => i.json).join(' ')}`);
      }
    }
  } finally {
    await pool.close();
  }
  return out;
}

describe('PlanPool: small files read whole by a worker', () => {
  it('plans what the usual read loop plans, in the same order, falling back for what is not plain', async () => {
    const files = inputs();
    const usual = await planAll(files, -1);
    const whole = await planAll(files, 1 << 20);
    expect(whole).toEqual(usual);
    // The inputs are what they say: every kind gave records, the damaged gzip its read failure last.
    const fates = (name: string) => usual.filter((r) => r.startsWith(name)).map((r) => r.split(' ')[1]);
    expect(fates('01-plain.ndjson')).toEqual(['records.sent', 'records.sent', 'records.sent', 'records.rejected', 'records.sent']);
    expect(fates('02-zipped.gz')).toHaveLength(600);
    expect(fates('04-array.json')).toEqual(['records.sent', 'records.sent']);
    expect(fates('05-truncated.gz').at(-1)).toBe('records.rejected');
    expect(fates('06-table.csv')).toEqual(['records.sent']);
    expect(fates('07-crlf.ndjson')).toHaveLength(5);
  });
});
