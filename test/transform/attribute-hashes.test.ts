import { describe, expect, it } from 'vitest';
import { attributeHashes, canonicalJson } from '../../src/transform/attribute-hashes.js';

describe('attributeHashes', () => {
  it('hashes each attribute key and value, leaving identifiers and options out', () => {
    const { keys, words } = attributeHashes({ external_id: 'u', _update_existing_only: true, email: 'a@b.c', plan: 'pro' });
    expect(keys).toEqual(['email', 'plan']);
    expect(words.length).toBe(8);
    expect([...words.subarray(0, 2)]).not.toEqual([...words.subarray(4, 6)]);
  });

  it('gives equal hashes for equal values whatever the key order, and different ones otherwise', () => {
    const a = attributeHashes({ x: { b: [1, { d: 1, c: 2 }], a: null } }).words;
    const b = attributeHashes({ x: { a: null, b: [1, { c: 2, d: 1 }] } }).words;
    const c = attributeHashes({ x: { a: null, b: [{ c: 2, d: 1 }, 1] } }).words;
    expect([...a]).toEqual([...b]);
    expect([...a.subarray(2)]).not.toEqual([...c.subarray(2)]);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members like JSON', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe('{"a":{"d":[2,{"e":0,"f":1}]},"b":1}');
    expect(canonicalJson('x')).toBe('"x"');
    expect(canonicalJson([undefined])).toBe('[null]');
  });
});
