import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../src/braze/retry-after.js';

const now = Date.UTC(2025, 2, 3, 12, 0, 0);

describe('retryAfterMs', () => {
  it.each([
    [{ 'retry-after': '2' }, 2000],
    [{ 'retry-after': '0' }, 0],
    [{ 'retry-after': '1.5' }, 1500],
    [{ 'retry-after': 'Mon, 03 Mar 2025 12:00:05 GMT' }, 5000],
    [{ 'retry-after': 'Mon, 03 Mar 2025 11:59:00 GMT' }, 0],
    [{ 'x-ratelimit-retry-after': '3' }, 3000],
    [{ 'x-ratelimit-reset': String(now / 1000 + 7) }, 7000],
    [{ 'retry-after': '1', 'x-ratelimit-retry-after': '3', 'x-ratelimit-reset': String(now / 1000 + 7) }, 1000],
    [{ 'x-ratelimit-retry-after': '3', 'x-ratelimit-reset': String(now / 1000 + 7) }, 3000],
    [{ 'retry-after': 'soon', 'x-ratelimit-reset': String(now / 1000 + 7) }, 7000],
  ])('reads %j as %d ms', (headers, expected) => {
    expect(retryAfterMs(headers, now)).toBe(expected);
  });

  it.each([
    [{}],
    [{ 'retry-after': 'soon' }],
    [{ 'retry-after': '-1' }],
    [{ 'x-ratelimit-reset': String(now / 1000) }],
    [{ 'x-ratelimit-reset': String(now / 1000 - 5) }],
  ])('says nothing for %j', (headers) => {
    expect(retryAfterMs(headers, now)).toBeUndefined();
  });

  it('ignores x-ratelimit-reset when asked to', () => {
    expect(retryAfterMs({ 'x-ratelimit-reset': String(now / 1000 + 7) }, now, { includeReset: false })).toBeUndefined();
  });
});
