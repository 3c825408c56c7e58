import { describe, expect, it } from 'vitest';
import { WindowTable } from '../../../src/state/dedup/window-table.js';
import { seededInts } from '../../support/random.js';

type Entry = [number, number, number];

describe('WindowTable', () => {
  it('holds a hash more than once, with different times, and deletes one entry at a time', () => {
    const table = new WindowTable();
    table.add(7, 8, 100);
    table.add(7, 8, 500);
    expect(table.has(7, 8, 110, 20)).toBe(true);
    expect(table.delete(7, 8, 300)).toBe(false);
    expect(table.delete(7, 8, 100)).toBe(true);
    expect(table.has(7, 8, 110, 20)).toBe(false);
    expect(table.has(7, 8, 490, 20)).toBe(true);
    expect(table.size).toBe(1);
    // (0, 0) is held, and deleted, as (0, 1).
    table.add(0, 0, 9);
    expect(table.has(0, 1, 9, 0)).toBe(true);
    expect(table.delete(0, 0, 9)).toBe(true);
    expect(table.has(0, 0, 9, 0)).toBe(false);
  });

  it('keeps every other entry reachable as entries are deleted from runs that wrap around the end of a shard, growing and shrinking', () => {
    const random = seededInts(25);
    const table = new WindowTable(64);
    const held: Entry[] = [];
    const gone: Entry[] = [];
    // One shard (hi's top bits 0), homes crowded into its last slots: long runs that wrap around.
    const entry = (): Entry => [1 + (random() % 50), 0xffffffff - (random() % 0x2000000), 1 + (random() % 3)];
    const step = (adding: boolean) => {
      if (adding || held.length === 0) {
        const e = entry();
        table.add(...e);
        held.push(e);
      } else {
        const [e] = held.splice(random() % held.length, 1);
        expect(table.delete(...e!)).toBe(true);
        gone.push(e!);
      }
    };
    const verify = () => {
      expect(table.size).toBe(held.length);
      for (const e of held) expect(table.has(e[0], e[1], e[2], 0), `held ${e.join()}`).toBe(true);
      for (const e of gone.slice(-200)) {
        const still = held.some((h) => h[0] === e[0] && h[1] === e[1] && h[2] === e[2]);
        expect(table.has(e[0], e[1], e[2], 0), `deleted ${e.join()}`).toBe(still);
      }
    };
    // Up to ~2,000 entries (the shard grows several times), then down to a few (it shrinks), twice.
    for (const [steps, addShare] of [[3000, 0.8], [3000, 0.2], [2000, 0.8], [3000, 0.15]] as const) {
      for (let i = 0; i < steps; i++) {
        step(random() / 4294967296 < addShare);
        if (i % 50 === 0) verify();
      }
      verify();
    }
  });
});
