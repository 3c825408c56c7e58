import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/braze/backoff.js';

const almostOne = () => 0.999999;

describe('backoffDelay', () => {
  it('doubles the ceiling per attempt from 250 ms', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, {}, almostOne))).toEqual([249, 499, 999, 1999]);
  });

  it('caps the ceiling at 30 s', () => {
    expect(backoffDelay(6, {}, almostOne)).toBe(15_999);
    expect(backoffDelay(7, {}, almostOne)).toBe(29_999);
    expect(backoffDelay(8, {}, almostOne)).toBe(29_999);
    expect(backoffDelay(60, {}, almostOne)).toBe(29_999);
  });

  it('applies full jitter from the injected random', () => {
    expect(backoffDelay(2, {}, () => 0)).toBe(0);
    expect(backoffDelay(2, {}, () => 0.5)).toBe(500);
  });

  it('takes base and cap from the options', () => {
    expect(backoffDelay(3, { baseMs: 10, capMs: 50 }, () => 0.5)).toBe(25);
    expect(backoffDelay(1, { baseMs: 10, capMs: 50 }, () => 0.5)).toBe(10);
  });
});
