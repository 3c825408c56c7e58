import { describe, expect, it } from 'vitest';
import { RateWindow, rateHeaders, retryAfterSeconds } from '../../src/emulator/limits.js';

const t0 = 1_741_000_800_000; // a multiple of 3 s

describe('RateWindow', () => {
  it('allows N requests per window and refuses N+1', () => {
    const window = new RateWindow(3, 3);
    expect([0, 1, 2].map(() => window.take(t0 + 100).allowed)).toEqual([true, true, true]);
    expect(window.take(t0 + 200)).toEqual({ allowed: false, limit: 3, remaining: 0, resetEpochSeconds: 1_741_000_803 });
  });

  it('opens a fresh window at the reset', () => {
    const window = new RateWindow(1, 3);
    window.take(t0);
    expect(window.take(t0 + 2999).allowed).toBe(false);
    expect(window.take(t0 + 3000)).toEqual({ allowed: true, limit: 1, remaining: 0, resetEpochSeconds: 1_741_000_806 });
  });

  it('does not count a peek', () => {
    const window = new RateWindow(2, 3);
    window.peek(t0);
    expect(window.take(t0).remaining).toBe(1);
  });

  it('renders lower-case headers and a retry-after of at least 1 s', () => {
    const state = new RateWindow(5, 3).take(t0 + 500);
    expect(rateHeaders(state)).toEqual({ 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '4', 'x-ratelimit-reset': '1741000803' });
    expect(retryAfterSeconds(state, t0 + 500)).toBe(3);
    expect(retryAfterSeconds(state, t0 + 2999)).toBe(1);
  });
});
