import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashId } from '../../../src/hash.js';
import { DedupWindow, type WindowSink } from '../../../src/state/dedup/window.js';
import { SEGMENT_ENTRIES, WindowJournal } from '../../../src/state/dedup/window-journal.js';

const T0 = 1_735_689_600; // 2025-01-01T00:00:00Z
const W = 6 * 3600;
const none: WindowSink = { write: () => undefined, moved: () => undefined };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'dedup-journal-')), 'dedup');
  dirs.push(dir);
  return dir;
}

/** Checks `count` messages `every` seconds apart from `from` (ids `prefix-i`), committing every 1,000. */
function run(journal: WindowJournal, prefix: string, from: number, every: number, count: number, plain?: DedupWindow): void {
  for (let i = 0; i < count; i++) {
    const answer = journal.filter.check(...hashId(`${prefix}-${i}`), from + i * every);
    if (plain) expect(plain.check(...hashId(`${prefix}-${i}`), from + i * every)).toBe(answer);
    if (i % 1000 === 999) journal.commit(journal.mark());
  }
}

describe('the duplicate window journal', () => {
  it('goes on deleting the segments it no longer needs after a resume', () => {
    const dir = tempDir();
    let journal = WindowJournal.open(dir, W, undefined);
    run(journal, 'before', T0, 60, 3 * SEGMENT_ENTRIES + 5000);
    const mark = journal.mark();
    journal.commit(mark);
    journal.close();
    // Resumed after three segments: the first replayed is not the run's first.
    expect(readdirSync(dir)).not.toContain('00000000000000000000.seg');
    journal = WindowJournal.open(dir, W, mark);
    run(journal, 'after', T0 + (3 * SEGMENT_ENTRIES + 5000) * 60, 60, 3 * SEGMENT_ENTRIES);
    journal.close();
    expect(readdirSync(dir).length).toBeLessThanOrEqual(2);
  });

  it('keeps a segment that ends with a few entries still held (a sparse archive), so that a resume holds them', () => {
    const dir = tempDir();
    const plain = new DedupWindow(W, none);
    const journal = WindowJournal.open(dir, W, undefined);
    // A message every 30 minutes: the 6 h window holds a few dozen when the first segment is full.
    const time = (i: number) => T0 + i * 1800;
    let n = 0;
    for (; n < SEGMENT_ENTRIES || readdirSync(dir).length < 2; n++) {
      expect(journal.filter.check(...hashId(`sparse-${n}`), time(n))).toBe(plain.check(...hashId(`sparse-${n}`), time(n)));
      if (n % 1000 === 999) journal.commit(journal.mark());
    }
    // Two commits as the second segment starts: a segment found dead is deleted by the second.
    journal.commit(journal.mark());
    const mark = journal.mark();
    journal.commit(mark);
    journal.close();
    expect(readdirSync(dir)).toContain('00000000000000000000.seg');
    const resumed = WindowJournal.open(dir, W, mark);
    // The last 100 messages again: those still held are caught, as in the uninterrupted run.
    const caught: string[] = [];
    for (let i = n - 100; i < n; i++) {
      const answer = resumed.filter.check(...hashId(`sparse-${i}`), time(i));
      expect(answer, `sparse-${i}`).toBe(plain.check(...hashId(`sparse-${i}`), time(i)));
      if (!answer) caught.push(`sparse-${i}`);
    }
    resumed.close();
    expect(caught.length).toBeGreaterThan(5);
  });

  it('keeps a segment whose time bucket was dropped and then written to again, so that a resume still holds that entry', () => {
    const dir = tempDir();
    const plain = new DedupWindow(W, none);
    let journal = WindowJournal.open(dir, W, undefined);
    const width = journal.filter.width;
    const b = Math.floor(T0 / width) + 1000;
    const at = (bucket: number) => bucket * width + 7;
    let n = 0;
    const both = (id: string, time: number) => {
      const answer = journal.filter.check(...hashId(id), time);
      expect(plain.check(...hashId(id), time)).toBe(answer);
      if (++n % 1000 === 0) journal.commit(journal.mark());
      return answer;
    };
    // The clock at b + 200, then moved far (b + 400) by the 64th message, a stray at b: the move drops it.
    both('first', at(b + 200));
    for (let i = 0; i < 62; i++) both(`far-${i}`, at(b + 400));
    both('stray-1', at(b));
    expect(journal.filter.clock).toBe(b + 400);
    // Another stray at b, then messages on either side of b (within the window of it), the clock going
    // back and forth: b stays, each side is dropped in turn, the first segment fills and a second starts.
    both('stray-2', at(b));
    let side = 10;
    for (let i = 0; i < SEGMENT_ENTRIES + 3000; i++) {
      both(`side-${i}`, at(b + side));
      if (journal.filter.clock === b + side) side = -side;
    }
    // Every other entry of the first segment was dropped: it is kept for the second stray's sake.
    const mark = journal.mark();
    journal.commit(mark);
    expect(readdirSync(dir)).toHaveLength(2);
    expect(readdirSync(dir)).toContain('00000000000000000000.seg');
    // Killed and resumed: the second stray is still a message seen, as in the uninterrupted run.
    journal.commit(mark);
    journal.close();
    journal = WindowJournal.open(dir, W, mark);
    expect(plain.check(...hashId('stray-2'), at(b))).toBe(false);
    expect(journal.filter.check(...hashId('stray-2'), at(b))).toBe(false);
    journal.close();
  });
});
