import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdJournal } from '../../../src/state/dedup/id-journal.js';
import { tempDirs } from '../../support/temp.js';

const newDir = tempDirs('id-journal-');

function journalFile(): string {
  const dir = newDir();
  return join(dir, 'ids.bin');
}

function hashesIn(file: string): Array<[number, number]> {
  const buffer = readFileSync(file);
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 8 <= buffer.length; i += 8) out.push([buffer.readUInt32LE(i), buffer.readUInt32LE(i + 4)]);
  return out;
}

function writeHashes(file: string, pairs: Array<[number, number]>): void {
  const buffer = Buffer.alloc(pairs.length * 8);
  pairs.forEach(([hi, lo], i) => {
    buffer.writeUInt32LE(hi, i * 8);
    buffer.writeUInt32LE(lo, i * 8 + 4);
  });
  writeFileSync(file, buffer);
}

describe('IdJournal', () => {
  it('starts empty and persists added hashes in order on close', () => {
    const file = journalFile();
    const journal = IdJournal.open(file, undefined);
    expect(journal.count).toBe(0);
    expect(journal.add(1, 10)).toBe(true);
    expect(journal.add(2, 20)).toBe(true);
    expect(journal.add(1, 10)).toBe(false);
    expect(journal.count).toBe(2);
    journal.close();
    expect(hashesIn(file)).toEqual([
      [1, 10],
      [2, 20],
    ]);
  });

  it('writes buffered hashes to disk on flush', () => {
    const file = journalFile();
    const journal = IdJournal.open(file, undefined);
    journal.add(3, 30);
    journal.flush();
    expect(hashesIn(file)).toEqual([[3, 30]]);
    journal.close();
  });

  it('persists more hashes than one write buffer holds', () => {
    const file = journalFile();
    const journal = IdJournal.open(file, undefined);
    for (let i = 1; i <= 20_000; i++) journal.add(i, i * 7);
    journal.close();
    const stored = hashesIn(file);
    expect(stored).toHaveLength(20_000);
    expect(stored[0]).toEqual([1, 7]);
    expect(stored[19_999]).toEqual([20_000, 140_000]);
  });

  it('loads exactly the first keep hashes and truncates the rest', () => {
    const file = journalFile();
    writeHashes(file, [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    const journal = IdJournal.open(file, { count: 2 });
    expect(journal.count).toBe(2);
    expect(statSync(file).size).toBe(16);
    expect(journal.add(1, 1)).toBe(false);
    expect(journal.add(2, 2)).toBe(false);
    // Hashes after the resume point are not duplicates of themselves.
    expect(journal.add(3, 3)).toBe(true);
    expect(journal.count).toBe(3);
    journal.close();
  });

  it('loads what there is when keep is larger than the file', () => {
    const file = journalFile();
    writeHashes(file, [[5, 5]]);
    const journal = IdJournal.open(file, { count: 10 });
    expect(journal.count).toBe(1);
    expect(journal.add(5, 5)).toBe(false);
    journal.close();
  });

  it('drops the whole journal for a fresh run (keep 0)', () => {
    const file = journalFile();
    writeHashes(file, [[5, 5]]);
    const journal = IdJournal.open(file, undefined);
    expect(journal.count).toBe(0);
    expect(journal.add(5, 5)).toBe(true);
    journal.close();
    expect(hashesIn(file)).toEqual([[5, 5]]);
  });

  it('loads more hashes than one read chunk holds', () => {
    const file = journalFile();
    const pairs: Array<[number, number]> = Array.from({ length: 20_000 }, (_, i) => [i + 1, i]);
    writeHashes(file, pairs);
    const journal = IdJournal.open(file, { count: 19_999 });
    expect(journal.count).toBe(19_999);
    expect(journal.set.size).toBe(19_999);
    expect(journal.add(1, 0)).toBe(false);
    expect(journal.add(19_999, 19_998)).toBe(false);
    expect(journal.add(20_000, 19_999)).toBe(true);
    journal.close();
  });

  /**
   * Bug: a journal reopened with keep > 0 ('r+') has its file position at 0, and #drain writes at
   * the current position (writeSync(..., null)), so hashes added after a resume overwrite the start
   * of ids.bin instead of being appended.
   */
  it('appends hashes added after a resume after the kept ones', () => {
    const file = journalFile();
    const first = IdJournal.open(file, undefined);
    first.add(1, 1);
    first.add(2, 2);
    first.add(3, 3);
    first.close();

    const second = IdJournal.open(file, { count: 3 });
    second.add(4, 4);
    second.close();
    expect(hashesIn(file)).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
  });

  it('still knows the first IDs after a second resume', () => {
    const file = journalFile();
    const first = IdJournal.open(file, undefined);
    first.add(1, 1);
    first.add(2, 2);
    first.close();
    const second = IdJournal.open(file, { count: 2 });
    second.add(3, 3);
    const count = second.count;
    second.close();

    const third = IdJournal.open(file, { count: count });
    expect(third.add(1, 1)).toBe(false);
    third.close();
  });
});
