import { describe, expect, it } from 'vitest';
import { MAX_DAYS, MAX_MONTHS, MAX_WEEKS, TimeSeries } from '../../src/dryrun/time-series.js';

const DAY = 86_400;
const at = (iso: string) => Date.parse(iso) / 1000;

/** Adds records at these times to a new series, in this order. */
function seriesOf(times: readonly number[]): TimeSeries {
  const s = new TimeSeries();
  times.forEach((t, i) => s.add(t, i % 3 !== 0, i % 5));
  return s;
}

describe('TimeSeries', () => {
  it('keeps days up to MAX_DAYS days, fills gaps, and counts records without a time apart', () => {
    const start = at('2024-01-01T12:00:00Z');
    const s = seriesOf([start, start + (MAX_DAYS - 1) * DAY, 0]);
    const data = s.data();
    expect(data.granularity).toBe('day');
    expect(data.buckets).toHaveLength(MAX_DAYS);
    expect(data.buckets[0]!.start).toBe('2024-01-01');
    expect(data.buckets[1]).toEqual({ start: '2024-01-02', records: 0, sent: 0, dataPoints: 0 });
    expect(data.untimed).toBe(1);
  });

  it('goes to weeks (from Monday) at MAX_DAYS + 1 days, months past MAX_WEEKS weeks, years past MAX_MONTHS months', () => {
    const start = at('2024-01-03T00:00:00Z'); // a Wednesday
    expect(seriesOf([start, start + MAX_DAYS * DAY]).data().granularity).toBe('week');
    expect(seriesOf([start, start + MAX_DAYS * DAY]).data().buckets[0]!.start).toBe('2024-01-01');
    expect(seriesOf([start, start + (MAX_WEEKS * 7 - 1) * DAY]).data().granularity).toBe('week');
    expect(seriesOf([start, start + MAX_WEEKS * 7 * DAY]).data().granularity).toBe('month');
    const months = seriesOf([at('2000-01-15T00:00:00Z'), at('2049-12-15T00:00:00Z')]).data();
    expect(months.granularity).toBe('month');
    expect(months.buckets).toHaveLength(MAX_MONTHS);
    expect(seriesOf([at('2000-01-15T00:00:00Z'), at('2050-01-15T00:00:00Z')]).data().granularity).toBe('year');
  });

  it('gives the same buckets whatever the order records come in, and keeps every record, sent record and data point', () => {
    const times: number[] = [];
    for (let i = 0; i < 3000; i++) times.push(at('2022-03-01T00:00:00Z') + ((i * 7919) % 1100) * DAY + (i % 86_400));
    const forward = seriesOf(times).data();
    const s = new TimeSeries();
    // The same records (time, fate, points) in reverse order.
    for (let i = times.length - 1; i >= 0; i--) s.add(times[i]!, i % 3 !== 0, i % 5);
    expect(s.data()).toEqual(forward);
    expect(forward.granularity).toBe('month');
    expect(forward.buckets.reduce((a, b) => a + b.records, 0)).toBe(3000);
    expect(forward.buckets.reduce((a, b) => a + b.sent, 0)).toBe(2000);
    expect(forward.buckets.reduce((a, b) => a + b.dataPoints, 0)).toBe(times.reduce((a, _, i) => a + (i % 5), 0));
  });

  it('comes back the same from its snapshot and goes on counting', () => {
    const start = at('2023-06-01T00:00:00Z');
    const first = [start, start + 40 * DAY, start + 200 * DAY];
    const s = seriesOf(first);
    const restored = TimeSeries.restore(JSON.parse(JSON.stringify(s.snapshot())));
    expect(restored.data()).toEqual(s.data());
    s.add(start + 900 * DAY, true, 4);
    restored.add(start + 900 * DAY, true, 4);
    expect(restored.data()).toEqual(s.data());
  });
});
