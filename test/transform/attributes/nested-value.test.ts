import { describe, expect, it } from 'vitest';
import { cleanNested } from '../../../src/transform/attributes/nested-value.js';
import { cleanProperties } from '../../../src/transform/events/properties.js';
import { dotted, indexedPath } from '../../../src/transform/paths.js';
import type { FieldTrace } from '../../../src/transform/types.js';

const dollar = (key: string) => (key.startsWith('$') ? 'reserved' : undefined);

describe('cleanNested', () => {
  it('returns a value that needs no change as it is, and traces nothing', () => {
    const value = { a: [1, 'x', { b: null, c: ['y'.repeat(255)] }], d: true };
    const trace: FieldTrace[] = [];
    expect(cleanNested(value, dollar, 'traits.v', 'attributes.v', trace)).toBe(value);
    expect(trace).toEqual([]);
  });

  it('copies a value with a long string or a dropped key deep inside, leaving the source untouched', () => {
    const long = 'z'.repeat(256);
    const value = { a: [1, { $b: 2, c: long }], d: 'ok' };
    const source = structuredClone(value);
    const trace: FieldTrace[] = [];
    const out = cleanNested(value, dollar, 'traits.v', 'attributes.v', trace);
    expect(out).toEqual({ a: [1, { c: 'z'.repeat(255) }], d: 'ok' });
    expect(value).toEqual(source);
    expect(trace).toEqual([
      { from: 'traits.v.a[1].$b', action: 'dropped', reason: 'reserved' },
      { from: 'traits.v.a[1].c', to: 'attributes.v.a[1].c', action: 'changed', reason: expect.any(String), value: 'z'.repeat(255) },
    ]);
  });

  it('cleans without tracing when no trace is kept', () => {
    expect(cleanNested(['w'.repeat(300)], dollar, '', '', undefined)).toEqual(['w'.repeat(255)]);
  });
});

describe('trace paths', () => {
  it('equal the concatenation and are the same string each time', () => {
    expect(dotted('traits', 'email')).toBe('traits.email');
    expect(dotted(indexedPath('properties.products', 2), 'price')).toBe('properties.products[2].price');
    expect(indexedPath('purchases', 1500)).toBe('purchases[1500]');
    expect(dotted('traits', 'email')).toBe(dotted('traits', 'e' + 'mail'));
  });

  it('still concatenate once the memo is full', () => {
    for (let i = 0; i < 100_010; i++) dotted('properties', `k${i}`);
    expect(dotted('properties', 'never-seen')).toBe('properties.never-seen');
    expect(dotted('brand-new-prefix', 'k')).toBe('brand-new-prefix.k');
  });
});

describe('cleanProperties', () => {
  // Every key's Segment path is `properties.<key>`.
  const origin = { prefix: () => 'properties' };

  it('sends properties that need no change as they are, with a mapped trace per key', () => {
    const source = { plan: 'pro', items: [{ sku: 'a' }], n: 1 };
    const trace: FieldTrace[] = [];
    expect(cleanProperties(source, origin, 'events[0].properties', trace)).toBe(source);
    expect(trace).toEqual(['plan', 'items', 'n'].map((k) => ({ from: `properties.${k}`, to: `events[0].properties.${k}`, action: 'mapped' })));
    expect(cleanProperties({}, origin, 'events[0].properties', undefined)).toBeUndefined();
  });

  it('copies properties when one key is dropped or one nested value changes, leaving the source untouched', () => {
    const source = { plan: 'pro', time: 'x', deep: { s: 'v'.repeat(300) } };
    const trace: FieldTrace[] = [];
    const out = cleanProperties(source, origin, 'events[0].properties', trace);
    expect(out).toEqual({ plan: 'pro', deep: { s: 'v'.repeat(255) } });
    expect(source.deep.s).toHaveLength(300);
    expect(trace.map((t) => [t.from, t.action])).toEqual([
      ['properties.plan', 'mapped'],
      ['properties.time', 'dropped'],
      ['properties.deep', 'mapped'],
      ['properties.deep.s', 'changed'],
    ]);
  });
});
