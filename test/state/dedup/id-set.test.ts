import { describe, expect, it } from 'vitest';
import { hashId } from '../../../src/hash.js';
import { IdSet } from '../../../src/state/dedup/id-set.js';
import { seededInts as seeded } from '../../support/random.js';


describe('IdSet', () => {
  it('adds a new hash and refuses the same hash again', () => {
    const set = new IdSet();
    expect(set.add(1, 2)).toBe(true);
    expect(set.add(1, 2)).toBe(false);
    expect(set.add(2, 1)).toBe(true);
    expect(set.size).toBe(2);
  });

  it('treats (0, 0) as a member like any other, remapped onto (0, 1)', () => {
    const set = new IdSet();
    expect(set.add(0, 0)).toBe(true);
    expect(set.add(0, 0)).toBe(false);
    // The documented remapping: (0, 1) is the same member.
    expect(set.add(0, 1)).toBe(false);
    expect(set.size).toBe(1);
  });

  it('keeps every member when it grows far past its initial capacity', () => {
    const set = new IdSet(16);
    const random = seeded(7);
    // Distinct by construction: hi is the index, lo is random.
    const pairs = Array.from({ length: 200_000 }, (_, i): [number, number] => [i + 1, random()]);
    let added = 0;
    for (const [hi, lo] of pairs) if (set.add(hi, lo)) added++;
    expect(added).toBe(200_000);
    expect(set.size).toBe(200_000);
    let duplicates = 0;
    for (const [hi, lo] of pairs) if (!set.add(hi, lo)) duplicates++;
    expect(duplicates).toBe(200_000);
    expect(set.size).toBe(200_000);
  });

  it('wraps probe chains that start at the last slot round to the first', () => {
    const set = new IdSet(16);
    // Same shard (small hi), and the largest lo: the last slot's home.
    const pairs = Array.from({ length: 12 }, (_, i): [number, number] => [i + 1, 0xffffffff]);
    expect(pairs.map(([hi, lo]) => set.add(hi, lo)).every(Boolean)).toBe(true);
    expect(pairs.map(([hi, lo]) => set.add(hi, lo)).some(Boolean)).toBe(false);
    expect(set.size).toBe(12);
  });

  it('keeps members whose halves share low bits (probe chains across growth)', () => {
    const set = new IdSet(16);
    const results: boolean[] = [];
    for (let i = 0; i < 5_000; i++) results.push(set.add(i << 16, 0x10000));
    for (let i = 0; i < 5_000; i++) results.push(set.add(i << 16, 0x10000));
    expect(results.slice(0, 5_000).every(Boolean)).toBe(true);
    expect(results.slice(5_000).some(Boolean)).toBe(false);
  });
});

describe('hashId', () => {
  it('gives the same 64-bit hash for the same text', () => {
    expect(hashId('message-1')).toEqual(hashId('message-1'));
    const [hi, lo] = hashId('message-1');
    for (const half of [hi, lo]) {
      expect(Number.isInteger(half)).toBe(true);
      expect(half).toBeGreaterThanOrEqual(0);
      expect(half).toBeLessThan(2 ** 32);
    }
  });

  it('gives different hashes for near-identical texts, the empty text and different lengths', () => {
    const texts = ['', 'a', 'b', 'ab', 'ba', 'a\u0000', 'msg-1', 'msg-2', 'msg-10', 'MSG-1'];
    const hashes = new Set(texts.map((t) => hashId(t).join(':')));
    expect(hashes.size).toBe(texts.length);
  });

  it('spreads sequential IDs without 64-bit collisions and evenly over the low bits', () => {
    const n = 100_000;
    const full = new Set<string>();
    const buckets = new Array<number>(16).fill(0);
    for (let i = 0; i < n; i++) {
      const [hi, lo] = hashId(`user-${i}`);
      full.add(`${hi}:${lo}`);
      buckets[lo & 15]!++;
      buckets[hi & 15]!++;
    }
    expect(full.size).toBe(n);
    for (const count of buckets) expect(Math.abs(count - (2 * n) / 16) / ((2 * n) / 16)).toBeLessThan(0.05);
  });
});
