import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DedupWindow, windowSeconds, type WindowSink } from '../../../src/state/dedup/window.js';
import { hashId } from '../../../src/hash.js';
import { SEGMENT_ENTRIES, WindowJournal } from '../../../src/state/dedup/window-journal.js';
import { seededInts } from '../../support/random.js';

const H = 3600;
const T0 = 1_735_689_600; // 2025-01-01T00:00:00Z
const W = 48 * H;
const none: WindowSink = { write: () => undefined, moved: () => undefined };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dedup-window-'));
  dirs.push(dir);
  return join(dir, 'dedup');
}

const check = (w: { check(hi: number, lo: number, t: number): boolean }, id: string, t: number) => w.check(...hashId(id), t);

/** A day's worth of distinct messages an hour apart... `perHour` messages each hour from `from`. */
function* traffic(prefix: string, from: number, hours: number, perHour: number): Generator<[string, number]> {
  for (let h = 0; h < hours; h++) for (let i = 0; i < perHour; i++) yield [`${prefix}-${h}-${i}`, from + h * H + Math.floor((i * H) / perHour)];
}

describe('the duplicate window', () => {
  it('skips copies 0 s, 1 h, 47 h and exactly 48 h apart (before or after), and not one 48 h and 1 s apart', () => {
    const w = new DedupWindow(W, none);
    expect(check(w, 'first', T0 + 100 * H)).toBe(true);
    for (const d of [0, H, 47 * H, W, -H, -47 * H, -W]) expect(check(w, 'first', T0 + 100 * H + d), `distance ${d / H} h`).toBe(false);
    expect(check(w, 'first', T0 + 100 * H + W + 1)).toBe(true);
    expect(check(w, 'first', T0 + 100 * H - W - 1)).toBe(true);
  });

  it('remembers a copy beyond the window as a new message, caught again by its own copies', () => {
    const w = new DedupWindow(W, none);
    expect(check(w, 'm', T0)).toBe(true);
    expect(check(w, 'm', T0 + 60 * H)).toBe(true);
    expect(check(w, 'm', T0 + 61 * H)).toBe(false);
    expect(check(w, 'm', T0 + 1)).toBe(false);
  });

  it('checks a message without a time against the whole window, and remembers it at the clock', () => {
    const w = new DedupWindow(W, none);
    for (const [id, t] of traffic('a', T0, 10, 100)) check(w, id, t);
    expect(check(w, 'a-0-5', 0)).toBe(false);
    expect(check(w, 'timeless', 0)).toBe(true);
    expect(check(w, 'timeless', T0 + 10 * H)).toBe(false);
  });

  it('slides with the reading clock: memory holds about one window, and a jump back in time (a second source) drops the first', () => {
    const w = new DedupWindow(W, none);
    for (const [id, t] of traffic('a', T0, 24 * 20, 50)) check(w, id, t);
    // 20 days read, 50 an hour: about 54 h of them kept (the window, a bucket of slack, a bucket of lag).
    expect(w.table.size).toBeGreaterThanOrEqual(48 * 50);
    expect(w.table.size).toBeLessThanOrEqual(60 * 50);
    expect(check(w, `a-${24 * 20 - 40}-3`, T0 + (24 * 20 - 40) * H)).toBe(false);
    for (const [id, t] of traffic('b', T0, 5, 50)) check(w, id, t);
    expect(w.table.size).toBeLessThanOrEqual(6 * 50);
  });

  it('is not moved by a few messages with a wrong time', () => {
    const w = new DedupWindow(W, none);
    for (const [id, t] of traffic('a', T0, 30, 50)) check(w, id, t);
    for (let i = 0; i < 40; i++) check(w, `stray-${i}`, T0 + 400 * 24 * H);
    for (const [id, t] of traffic('a', T0 + 30 * H, 2, 50)) check(w, id, t);
    expect(check(w, 'a-1-1', T0 + H + 72)).toBe(false);
  });

  it('with all, never forgets; times outside 1970-2106 count as none', () => {
    const w = new DedupWindow(Infinity, none);
    expect(check(w, 'x', T0)).toBe(true);
    for (const [id, t] of traffic('a', T0 + 24 * H, 24 * 30, 20)) check(w, id, t);
    expect(check(w, 'x', T0 + 400 * 24 * H)).toBe(false);
    expect(windowSeconds(undefined)).toBe(0);
    expect(windowSeconds(-5000)).toBe(0);
    expect(windowSeconds(5e12)).toBe(0);
    expect(windowSeconds(T0 * 1000 + 999)).toBe(T0);
  });
});

/**
 * The filter as window.ts describes it, by brute force: every entry in a list, the median by sorting
 * every vote, the entries outside the window dropped by scanning them all.
 */
class Reference {
  readonly width: number;
  readonly reach: number;
  #entries = new Map<string, number[]>();
  #votes: number[] = [];
  #clock: number | undefined;
  #dropped: number | undefined;

  constructor(readonly window: number) {
    this.width = Math.max(1, Math.floor(window / 16));
    this.reach = Math.ceil(window / this.width) + 1;
  }

  get size(): number {
    return [...this.#entries.values()].reduce((n, times) => n + times.length, 0);
  }

  check(id: string, t: number): boolean {
    const times = this.#entries.get(id) ?? [];
    if (times.some((s) => s === 0 || t === 0 || Math.abs(t - s) <= this.window)) return false;
    const time = t !== 0 ? t : this.#clock === undefined ? 0 : this.#clock * this.width + Math.floor(this.width / 2);
    this.#entries.set(id, [...times, time]);
    if (time === 0) return true;
    this.#clock ??= Math.floor(time / this.width);
    this.#votes.push(Math.floor(time / this.width));
    if (this.#votes.length % 64 !== 0) return true;
    const median = [...this.#votes].sort((a, b) => a - b)[this.#votes.length / 2 - 1]!;
    if (median === this.#clock) return true;
    this.#clock = median;
    this.#votes = [];
    if (this.#dropped !== undefined && Math.abs(median - this.#dropped) < 2) return true;
    this.#dropped = median;
    for (const [key, held] of this.#entries) {
      const kept = held.filter((s) => Math.abs(Math.floor(s / this.width) - median) <= this.reach);
      if (kept.length === 0) this.#entries.delete(key);
      else this.#entries.set(key, kept);
    }
    return true;
  }
}

describe('the duplicate window against a brute-force model', () => {
  /**
   * Source A, 20 days at 60 an hour with copies near (2 minutes) and far (10 hours), strays (a wrong
   * time in the year) and messages without a time; then source B back on A's first 3 days, re-sending
   * A's messages.
   */
  function* sources(): Generator<[string, number]> {
    const random = seededInts(17);
    const sent: Array<[string, number]> = [];
    for (let i = 0; i < 5; i++) yield [`early-${i}`, 0];
    for (let n = 0; n < 20 * 24 * 60; n++) {
      const t = T0 + n * 60 + (random() % 60);
      sent.push([`a-${n}`, t]);
      yield [`a-${n}`, t];
      const r = random() % 100;
      const recent = sent[sent.length - 1 - (random() % Math.min(sent.length, 5))]!;
      const older = sent[sent.length - 1 - (random() % Math.min(sent.length, 900))]!;
      if (r < 8) yield [older[0], older[1] + (random() % (20 * H)) - 10 * H];
      else if (r < 14) yield [recent[0], recent[1] + (random() % 240) - 120];
      else if (r < 16) yield [`stray-${n}`, T0 + (random() % (365 * 24 * H))];
      else if (r < 18) yield [r === 16 ? older[0] : `timeless-${n}`, 0];
    }
    for (const [id, t] of sent.slice(0, 3 * 24 * 60)) yield [id, t];
  }

  it.each([['6 h', 6 * H], ['48 h', W], ['60 s', 60]])('gives the same answers, and holds the same entries, with a %s window', (_, window) => {
    const w = new DedupWindow(window, none);
    const model = new Reference(window);
    let n = 0;
    let duplicates = 0;
    for (const [id, t] of sources()) {
      const expected = model.check(id, t);
      if (!expected) duplicates++;
      if (check(w, id, t) !== expected) expect.fail(`message ${n} (${id} at ${t}): ${expected ? 'new' : 'duplicate'} by the model`);
      if (n++ % 100 === 0) expect(w.table.size, `after message ${n}`).toBe(model.size);
    }
    expect(w.table.size).toBe(model.size);
    // The stream does test the filter: hundreds of copies caught (850 with 60 s, 4,282 with 48 h).
    expect(duplicates).toBeGreaterThan(500);
  });
});

describe('the duplicate window journal', () => {
  /** `days` of traffic with duplicates at several distances, some without a time. */
  function* archive(days = 30): Generator<[string, number]> {
    let n = 0;
    for (const [id, t] of traffic('m', T0, 24 * days, 40)) {
      yield [id, t];
      n++;
      if (n % 7 === 0) yield [id, t + ((n % 5) * 11 * H) - 20 * H];
      if (n % 97 === 0) yield [`m-0-${n % 40}`, 0];
    }
  }

  it('resumed at any mark, it gives the same answers as the uninterrupted run, and keeps few segments', () => {
    // 200 days: about three and a half segments of SEGMENT_ENTRIES, so that segments are started and deleted.
    const all = [...archive(200)];
    expect(all.length).toBeGreaterThan(3 * SEGMENT_ENTRIES);
    const plain = new DedupWindow(W, none);
    const expected = all.map(([id, t]) => check(plain, id, t));
    expect(expected.filter((x) => !x).length).toBeGreaterThan(1000);
    for (const cut of [1, 5000, SEGMENT_ENTRIES + 17_000, 3 * SEGMENT_ENTRIES + 3_457]) {
      const dir = tempDir();
      let journal = WindowJournal.open(dir, W, undefined);
      const got: boolean[] = [];
      let mark = journal.mark();
      for (let i = 0; i < cut; i++) {
        got.push(check(journal.filter, ...all[i]!));
        if (i % 1000 === 999) {
          mark = journal.mark();
          journal.commit(mark);
        }
      }
      // Killed: what came after the last commit is lost; the records after the mark are read again.
      const resumeAt = got.length - (cut % 1000);
      journal.close();
      journal = WindowJournal.open(dir, W, mark);
      const answers = got.slice(0, resumeAt);
      for (let i = resumeAt; i < all.length; i++) {
        answers.push(check(journal.filter, ...all[i]!));
        if (i % 1000 === 999) journal.commit(journal.mark());
      }
      journal.close();
      expect(answers, `cut at ${cut}`).toEqual(expected);
      // About 54 h of 40 messages an hour are live: the segment being written and at most the one
      // before it, not the four written.
      expect(readdirSync(dir).length).toBeLessThanOrEqual(2);
      expect(readdirSync(dir)).not.toContain('00000000000000000000.seg');
    }
  });

  it('keeps every entry across a commit that comes after its write buffer filled up more than once', () => {
    // A run commits about once a second: at ~100,000 records/s the buffer (5,440 entries) fills many
    // times in between. Each of those writes used to land one entry too far, so a resumed run lost an
    // entry (its copy was no longer caught) and could refuse to resume ("does not follow").
    const dir = tempDir();
    const ids = Array.from({ length: 20_000 }, (_, i) => `buffered-${i}`);
    let journal = WindowJournal.open(dir, W, undefined);
    ids.forEach((id, i) => expect(check(journal.filter, id, T0 + Math.floor(i / 1000))).toBe(true));
    const mark = journal.mark();
    journal.commit(mark);
    journal.close();
    journal = WindowJournal.open(dir, W, mark);
    const missed = ids.filter((id, i) => check(journal.filter, id, T0 + Math.floor(i / 1000)));
    journal.close();
    expect(missed).toEqual([]);
  });

  it('refuses a mark beyond what the journal holds', () => {
    const dir = tempDir();
    const journal = WindowJournal.open(dir, W, undefined);
    check(journal.filter, 'a', T0);
    journal.commit(journal.mark());
    journal.close();
    expect(() => WindowJournal.open(dir, W, { seq: 5 })).toThrow(/fewer entries/);
  });
});
