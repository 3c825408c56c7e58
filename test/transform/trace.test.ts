import { describe, expect, it } from 'vitest';
import { traceDropped, traceMapped, traceMappedKey, tracesReused } from '../../src/transform/trace.js';

describe('traces', () => {
  it('gives a field traced by its key its two paths, as a plain object outside the planner', () => {
    expect(traceMappedKey('properties', 'events[0].properties', 'plan')).toEqual({
      from: 'properties.plan', to: 'events[0].properties.plan', action: 'mapped',
    });
    expect(traceMappedKey('properties.products[1]', 'purchases[2]', 'price', 9.5)).toEqual({
      from: 'properties.products[1].price', to: 'purchases[2].price', action: 'mapped', value: 9.5,
    });
  });

  it('reads the paths of a reused trace traced by its key as the paths of a trace made by them', () => {
    const read = tracesReused(() => {
      const t = traceMappedKey('traits', 'attributes', 'plan', 'pro');
      return { from: t.from, to: t.to, action: t.action, reason: t.reason, value: t.value };
    });
    expect(read).toEqual({ from: 'traits.plan', to: 'attributes.plan', action: 'mapped', reason: undefined, value: 'pro' });
  });

  it('gives a reused trace the paths it is made with now, not those of the field it was made for before', () => {
    const first = tracesReused(() => [traceMappedKey('traits', 'attributes', 'plan'), traceMappedKey('traits', 'attributes', 'age')]);
    const again = tracesReused(() => [traceMapped('userId', 'attributes.external_id'), traceDropped('traits.id', 'id repeats userId')]);
    // The same two objects, made for other fields.
    expect(again[0]).toBe(first[0]);
    expect(again[1]).toBe(first[1]);
    expect(again.map((t) => [t.from, t.to, t.action, t.reason])).toEqual([
      ['userId', 'attributes.external_id', 'mapped', undefined],
      ['traits.id', undefined, 'dropped', 'id repeats userId'],
    ]);
  });
});
