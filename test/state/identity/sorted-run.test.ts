import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyOf, LINK, readEntry, recordLength, writeRecord, type Key, type LinkEntry } from '../../../src/state/identity/record.js';
import { mergingRuns } from '../../../src/state/identity/sorted-run-merge.js';
import { SortedRunWriter } from '../../../src/state/identity/sorted-run-writer.js';
import { BLOCK, RunScanner, SortedRun } from '../../../src/state/identity/sorted-run.js';
import { tempDirs } from '../../support/temp.js';

const tempDir = tempDirs('sorted-run-');

/** A key with a chosen hash: hash collisions cannot be found, so they are made. */
interface Made {
  readonly hi: number;
  readonly lo: number;
  readonly text: string;
}

function key(hi: number, lo: number, text: string): Made {
  return { hi, lo, text };
}

const lookedUp = (k: Made): Key => keyOf(LINK, k.text, [k.hi, k.lo]);

/** Writes a run of `keys` (any order), each linked to `${user}-${key}`. */
function write(path: string, keys: Made[], user = 'user'): void {
  const sorted = [...keys].sort((a, b) => a.hi - b.hi || a.lo - b.lo || Buffer.compare(Buffer.from(a.text), Buffer.from(b.text)));
  const out = new SortedRunWriter(path);
  sorted.forEach((k, i) => {
    const entry: LinkEntry = [`${user}-${k.text}`, 0, i, -1, -1];
    const bytes = Buffer.byteLength(k.text);
    out.put(recordLength(LINK, bytes, entry), k.hi, (buf, at) => writeRecord(buf, at, k.hi, k.lo, LINK, k.text, bytes, entry));
  });
  out.finish();
}

function userOf(run: SortedRun, k: Made): string | undefined {
  const found = run.find(lookedUp(k));
  return found && (readEntry(found[0], found[1]) as LinkEntry)[0];
}

describe('sorted run files', () => {
  it('finds every key among colliding hashes that fill several blocks, and no key it does not hold', () => {
    const keys: Made[] = [];
    for (let i = 0; i < 300; i++) keys.push(key(10 + (i % 3), 5, `same-${i}`)); // 100 full collisions per hash
    for (let i = 0; i < 300; i++) keys.push(key(11, i, `near-${i}`)); // same high half, another low half
    for (let i = 0; i < 50; i++) keys.push(key(11, 5, `long-${i}-${'x'.repeat(i * 200)}`)); // some longer than a block
    for (let i = 0; i < 2000; i++) keys.push(key(100 + Math.floor(i / 7), i, `step-${i}`)); // 7 a high half, across block ends
    const path = join(tempDir(), 'run.idx');
    write(path, keys);
    const run = new SortedRun(path);
    expect(run.records).toBe(keys.length);
    expect(run.units).toBeGreaterThan(20);
    for (const k of keys) expect(userOf(run, k), k.text.slice(0, 20)).toBe(`user-${k.text}`);
    const absent = [key(11, 5, 'same-1000'), key(9, 5, 'same-1'), key(12, 5, 'same-1'), key(11, 5, 'long-1-'), key(100, 3, 'step-4'), key(2 ** 32 - 1, 0, 'x'), key(0, 0, '')];
    for (const k of absent) expect(run.find(lookedUp(k))).toBeUndefined();
    run.close();
  });

  it('finds nothing in a run with no records', () => {
    const path = join(tempDir(), 'empty.idx');
    write(path, []);
    const run = new SortedRun(path);
    expect([run.units, run.records]).toEqual([0, 0]);
    expect(run.find(lookedUp(key(1, 2, 'a')))).toBeUndefined();
    expect(new RunScanner(run).done).toBe(true);
    run.close();
  });

  it('scans a run in order, and merges runs into one record per key, the older run first', () => {
    const dir = tempDir();
    write(join(dir, 'a.idx'), Array.from({ length: 500 }, (_, i) => key(i * 3, 0, `k${i * 3}`)), 'a');
    write(join(dir, 'b.idx'), Array.from({ length: 500 }, (_, i) => key(i * 2, 0, `k${i * 2}`)), 'b');
    const runs = [new SortedRun(join(dir, 'a.idx')), new SortedRun(join(dir, 'b.idx'))];
    const out = new SortedRunWriter(join(dir, 'm.idx'));
    for (const _ of mergingRuns(runs, out));
    out.finish();
    runs.forEach((run) => run.close());
    const merged = new SortedRun(join(dir, 'm.idx'));
    const seen: number[] = [];
    for (const scan = new RunScanner(merged); !scan.done; scan.next()) seen.push(scan.buf.readUInt32LE(scan.at));
    const expected = [...new Set([...Array.from({ length: 500 }, (_, i) => i * 3), ...Array.from({ length: 500 }, (_, i) => i * 2)])].sort((a, b) => a - b);
    expect(seen).toEqual(expected);
    // k6 is in both: a's link came first and b's other user makes it ambiguous; k4 only in b, k3 only in a.
    const entry = (k: Made) => readEntry(...merged.find(lookedUp(k))!) as LinkEntry;
    expect(entry(key(6, 0, 'k6'))).toEqual(['a-k6', 0, 2, 0, 3]);
    expect(entry(key(4, 0, 'k4'))).toEqual(['b-k4', 0, 2, -1, -1]);
    expect(entry(key(3, 0, 'k3'))).toEqual(['a-k3', 0, 1, -1, -1]);
    merged.close();
  });

  it('refuses a file that was never finished, or that is missing, naming it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'torn.idx'), Buffer.alloc(BLOCK + 100));
    expect(() => new SortedRun(join(dir, 'torn.idx'))).toThrow(/torn\.idx is not a finished identity index file.*--restart/);
    expect(() => new SortedRun(join(dir, 'gone.idx'))).toThrow(/gone\.idx is missing.*--restart/);
  });
});
