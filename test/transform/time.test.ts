import { describe, expect, it } from 'vitest';
import { eventTime, formatTime, parseTime } from '../../src/transform/time.js';
import type { SegmentMessage } from '../../src/transform/types.js';

const at = Date.UTC(2025, 2, 2, 10, 15, 0, 0);

describe('parseTime', () => {
  it.each([
    ['2025-03-02T10:15:00.000Z', at],
    ['2025-03-02T10:15:00Z', at],
    ['2025-03-02 10:15:00.000', at],
    ['2025-03-02T10:15:00', at],
    ['2025-03-02T11:15:00.000+01:00', at],
    ['2025-03-02T05:15:00-0500', at],
    ['2025-03-02T10:15:00.123456Z', at + 123],
    ['2025-03-02', Date.UTC(2025, 2, 2)],
    [at, at],
  ])('reads %j', (value, expected) => {
    expect(parseTime(value)).toBe(expected);
  });

  it.each([['yesterday'], ['2025-02-30T00:00:00.000Z'], ['2025-13-01'], ['2025-03-02T24:00:00Z'], [true], [{}], [Number.NaN]])(
    'refuses %j',
    (value) => {
      expect(parseTime(value)).toBeUndefined();
    },
  );

  it('keeps two-digit years as themselves', () => {
    expect(parseTime('0050-01-01T00:00:00.000Z')).toBe(new Date('0050-01-01T00:00:00.000Z').getTime());
  });

  it('knows leap years: every 4th, not every 100th, every 400th', () => {
    for (const y of ['0000', '0400', '1600', '2000', '2024', '2400']) expect(parseTime(`${y}-02-29T12:00:00.000Z`), y).toBe(new Date(`${y}-02-29T12:00:00.000Z`).getTime());
    for (const y of ['0100', '1900', '2023', '2100']) expect(parseTime(`${y}-02-29T12:00:00.000Z`), y).toBeUndefined();
  });

  it('reads any date and time as Date does, and refuses the days a month does not have', () => {
    // Dates across years 0-9999 (leap years, centuries, month ends), in the fast form and the general one.
    let seed = 7;
    const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const p = (n: number, width = 2) => String(n).padStart(width, '0');
    for (let i = 0; i < 20_000; i++) {
      const [y, mo, d] = [i % 3 === 0 ? next(10_000) : 1900 + next(250), 1 + next(12), 1 + next(31)];
      const [h, mi, s, ms] = [next(24), next(60), next(60), next(1000)];
      const text = `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(s)}.${p(ms, 3)}Z`;
      const date = new Date(text);
      const real = !Number.isNaN(date.getTime()) && date.getUTCDate() === d;
      expect(parseTime(text), text).toBe(real ? date.getTime() : undefined);
      expect(parseTime(`${p(y, 4)}-${p(mo)}-${p(d)} ${p(h)}:${p(mi)}`), text).toBe(real ? date.getTime() - s * 1000 - ms : undefined);
    }
  });
});

describe('formatTime', () => {
  it.each([[at], [0], [Date.UTC(2000, 1, 29, 23, 59, 59, 999)], [Date.UTC(1969, 11, 31, 23, 0, 0, 5)], [Date.UTC(2100, 2, 1)]])(
    'writes %d like toISOString',
    (ms) => {
      expect(formatTime(ms)).toBe(new Date(ms).toISOString());
    },
  );
});

describe('eventTime', () => {
  const msg = (fields: Record<string, unknown>): SegmentMessage => ({ type: 'track', ...fields });

  it('uses timestamp first for the timestamp order', () => {
    const m = msg({ timestamp: '2025-03-02T10:15:00.000Z', receivedAt: '2025-03-03T00:00:00.000Z' });
    expect(eventTime(m, 'timestamp')).toEqual({ ok: true, ms: at, iso: '2025-03-02T10:15:00.000Z', field: 'timestamp' });
  });

  it('uses receivedAt first for the receivedAt order', () => {
    const m = msg({ timestamp: '2025-03-02T10:15:00.000Z', receivedAt: '2025-03-03T00:00:00.000Z' });
    expect(eventTime(m, 'receivedAt')).toEqual({ ok: true, ms: Date.UTC(2025, 2, 3), iso: '2025-03-03T00:00:00.000Z', field: 'receivedAt' });
  });

  it('falls back to originalTimestamp, then receivedAt, then sentAt', () => {
    expect(eventTime(msg({ originalTimestamp: at, sentAt: 0 }), 'timestamp')).toMatchObject({ ok: true, field: 'originalTimestamp' });
    expect(eventTime(msg({ sentAt: '2025-03-02 10:15:00' }), 'timestamp')).toEqual({ ok: true, ms: at, iso: '2025-03-02T10:15:00.000Z', field: 'sentAt' });
  });

  it('rejects an unparseable first present field, naming it', () => {
    expect(eventTime(msg({ timestamp: 'soon', receivedAt: at }), 'timestamp')).toEqual({ ok: false, field: 'timestamp', reason: 'timestamp "soon" is not a valid time' });
  });

  it('names the first field tried when none is present', () => {
    expect(eventTime(msg({}), 'receivedAt')).toEqual({
      ok: false,
      field: 'receivedAt',
      reason: 'no time: receivedAt, timestamp, originalTimestamp, sentAt are all missing',
    });
  });
});
