import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/transform/attributes/attribute-hashes.js';
import { ATTRIBUTE_WORDS, attributePieces } from '../../../src/transform/attributes/attribute-pieces.js';

describe('attributePieces hashes', () => {
  const attrs = (words: Uint32Array) => (words.length - 2) / ATTRIBUTE_WORDS;
  /** Key and value hashes (hi, lo, hi, lo) of attribute i. */
  const hashes = (words: Uint32Array, i: number) => [...words.subarray(2 + i * ATTRIBUTE_WORDS + 2, 2 + i * ATTRIBUTE_WORDS + 6)];

  it('hashes each attribute key and value, leaving identifiers and options out', () => {
    const { words } = attributePieces({ external_id: 'u', _update_existing_only: true, email: 'a@b.c', plan: 'pro' });
    expect(attrs(words)).toBe(2);
    expect(hashes(words, 0).slice(0, 2)).not.toEqual(hashes(words, 1).slice(0, 2));
  });

  it('gives equal hashes for equal values whatever the key order, and different ones otherwise', () => {
    const a = attributePieces({ x: { b: [1, { d: 1, c: 2 }], a: null } }).words;
    const b = attributePieces({ x: { a: null, b: [1, { c: 2, d: 1 }] } }).words;
    const c = attributePieces({ x: { a: null, b: [{ c: 2, d: 1 }, 1] } }).words;
    expect(hashes(a, 0)).toEqual(hashes(b, 0));
    expect(hashes(a, 0).slice(2)).not.toEqual(hashes(c, 0).slice(2));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members like JSON', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe('{"a":{"d":[2,{"e":0,"f":1}]},"b":1}');
    expect(canonicalJson('x')).toBe('"x"');
    expect(canonicalJson([undefined])).toBe('[null]');
  });
});
