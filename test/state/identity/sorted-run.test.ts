import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRecords, decodeLink, encodeLink, LINK, type Key } from '../../../src/state/identity/record.js';
import { mergeRuns } from '../../../src/state/identity/sorted-run-merge.js';
import { RunWriter } from '../../../src/state/identity/sorted-run-writer.js';
import { RunReader, RunScanner } from '../../../src/state/identity/sorted-run.js';
import { tempDirs } from '../../support/temp.js';

const tempDir = tempDirs('sorted-run-');

/** A key with a chosen hash: hash collisions cannot be found, so they are made. */
function key(hi: number, lo: number, text: string): Key {
  return { hi, lo, kind: LINK, bytes: Buffer.from(text, 'utf8') };
}

function write(path: string, keys: Key[]): void {
  const records = keys.map((k, i) => encodeLink(k, [`user-${k.bytes.toString()}`, 0, i, -1, -1])).sort((a, b) => compareRecords(a, 0, b, 0));
  const out = new RunWriter(path);
  for (const rec of records) out.add(rec);
  out.finish();
}

describe('sorted run files', () => {
  it('finds every key among colliding hashes that span several blocks, and no key it does not hold', () => {
    const keys: Key[] = [];
    for (let i = 0; i < 300; i++) keys.push(key(10 + (i % 3), 5, `same-${i}`)); // 100 full collisions per hash
    for (let i = 0; i < 300; i++) keys.push(key(11, i, `near-${i}`)); // same high half, another low half
    for (let i = 0; i < 50; i++) keys.push(key(11, 5, `long-${i}-${'x'.repeat(i * 200)}`)); // some spanning units
    const path = join(tempDir(), 'run.idx');
    write(path, keys);
    const reader = new RunReader(path);
    expect(reader.records).toBe(keys.length);
    expect(reader.units).toBeGreaterThan(10);
    for (const k of keys) {
      const found = reader.find(k);
      expect(found, k.bytes.toString().slice(0, 20)).toBeDefined();
      expect(decodeLink(found![0], found![1])[0]).toBe(`user-${k.bytes.toString()}`);
    }
    for (const k of [key(11, 5, 'same-1000'), key(9, 5, 'same-1'), key(12, 5, 'same-1'), key(11, 5, 'long-1-')]) expect(reader.find(k)).toBeUndefined();
    reader.close();
  });

  it('scans a run in order, and merges runs keeping one record per key', () => {
    const dir = tempDir();
    write(join(dir, 'a.idx'), Array.from({ length: 500 }, (_, i) => key(i * 3, 0, `k${i * 3}`)));
    write(join(dir, 'b.idx'), Array.from({ length: 500 }, (_, i) => key(i * 2, 0, `k${i * 2}`)));
    const runs = [new RunReader(join(dir, 'a.idx')), new RunReader(join(dir, 'b.idx'))];
    const out = new RunWriter(join(dir, 'm.idx'));
    mergeRuns(runs, out);
    out.finish();
    runs.forEach((run) => run.close());
    const merged = new RunReader(join(dir, 'm.idx'));
    const seen: number[] = [];
    for (const scan = new RunScanner(merged); !scan.done; scan.next()) seen.push(scan.buf.readUInt32LE(scan.at));
    const expected = [...new Set([...Array.from({ length: 500 }, (_, i) => i * 3), ...Array.from({ length: 500 }, (_, i) => i * 2)])].sort((a, b) => a - b);
    expect(seen).toEqual(expected);
    merged.close();
  });
});
