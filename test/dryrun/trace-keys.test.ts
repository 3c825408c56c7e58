import { describe, expect, it } from 'vitest';
import { TraceKeys, transientId } from '../../src/dryrun/trace-keys.js';
import { traceMappedKey, tracesReused } from '../../src/transform/trace.js';
import type { FieldTrace } from '../../src/transform/types.js';

/** The id of a field traced by its key, as the planner numbers it (a reused trace). */
const keyed = (keys: TraceKeys, from: string, to: string, key: string): number => tracesReused(() => keys.field(traceMappedKey(from, to, key)));

const byPaths = (keys: TraceKeys, from: string, to: string): number => keys.field({ from, to, action: 'mapped' } satisfies FieldTrace);

describe('TraceKeys, for fields traced by their key', () => {
  it('numbers a field traced by its key as the line of the same field traced by its paths', () => {
    const keys = new TraceKeys();
    const first = keyed(keys, 'properties', 'events[0].properties', 'plan');
    expect(keyed(keys, 'properties', 'events[0].properties', 'plan')).toBe(first);
    expect(byPaths(keys, 'properties.plan', 'events[0].properties.plan')).toBe(first);
    const other = byPaths(keys, 'traits.plan', 'attributes.plan');
    expect(keyed(keys, 'traits', 'attributes', 'plan')).toBe(other);
    expect(keys.drain()).toEqual([
      { id: first, action: 'mapped', from: 'properties.plan', to: 'events[].properties.plan', reason: '' },
      { id: other, action: 'mapped', from: 'traits.plan', to: 'attributes.plan', reason: '' },
    ]);
  });

  it('keeps apart fields of one key with other prefixes, on either side', () => {
    const keys = new TraceKeys();
    const ids = [
      keyed(keys, 'properties', 'purchases[0].properties', 'price'),
      keyed(keys, 'properties.products[0]', 'purchases[0].properties', 'price'),
      keyed(keys, 'properties.products[0]', 'purchases[0]', 'price'),
      keyed(keys, 'properties.products[1]', 'purchases[1]', 'price'),
    ];
    expect(new Set(ids).size).toBe(4);
    expect(keys.drain().map((d) => `${d.from} -> ${d.to}`)).toEqual([
      'properties.price -> purchases[].properties.price',
      'properties.products[].price -> purchases[].properties.price',
      'properties.products[].price -> purchases[].price',
      'properties.products[].price -> purchases[].price',
    ]);
  });

  it('folds the group ID of a trait named like a group attribute', () => {
    const keys = new TraceKeys();
    keyed(keys, 'traits', 'attributes', 'ab_segment_group_g-1');
    expect(keys.drain()[0]!.to).toBe('attributes.ab_segment_group_<groupId>');
  });

  it('keeps every id it gave when it forgets the parts it remembered, and gives transient ids past 5000 lines', () => {
    const keys = new TraceKeys();
    // 12,000 distinct fields: more than the parts remembered (10,000) and than the lines (5,000).
    const first = Array.from({ length: 12_000 }, (_, i) => keyed(keys, 'traits', 'attributes', `k${i}`));
    expect(first[4_999]).toBe(4_999);
    expect(first.slice(5_000)).toEqual(Array.from({ length: 7_000 }, (_, i) => transientId(i)));
    expect(keys.drain()).toHaveLength(12_000);
    for (const i of [0, 1, 4_999]) {
      expect(keyed(keys, 'traits', 'attributes', `k${i}`)).toBe(first[i]);
      expect(byPaths(keys, `traits.k${i}`, `attributes.k${i}`)).toBe(first[i]);
    }
    // A line past the table is not remembered: defined again, with the next transient id.
    expect(keyed(keys, 'traits', 'attributes', 'k5000')).toBe(transientId(0));
    expect(byPaths(keys, 'traits.k11999', 'attributes.k11999')).toBe(transientId(1));
    expect(keys.drain().map((d) => d.from)).toEqual(['traits.k5000', 'traits.k11999']);
  });
});
