import { describe, expect, it } from 'vitest';
import { ATTRIBUTE_WORDS, attributePieces, keepAttributes } from '../../../src/transform/attributes/attribute-pieces.js';

describe('attributePieces', () => {
  const body = { external_id: 'u"1', email: 'a@b.c', _update_existing_only: true, address: { city: 'Paris', zip: '75' }, tags: ['x', ','], plan: null };

  it('serialises the object as JSON.stringify does, with one piece per member', () => {
    const { json, words } = attributePieces(body);
    expect(json).toBe(JSON.stringify(body));
    expect((words.length - 2) / ATTRIBUTE_WORDS).toBe(4);
    const pieces = [];
    for (let w = 2; w < words.length; w += ATTRIBUTE_WORDS) pieces.push(json.slice(words[w]!, words[w + 1]!));
    expect(pieces).toEqual(['"email":"a@b.c"', '"address":{"city":"Paris","zip":"75"}', '"tags":["x",","]', '"plan":null']);
    // Data points: 1, 2 leaves, 1, 1.
    expect([words[8], words[15], words[22], words[29]]).toEqual([1, 2, 1, 1]);
  });

  it('keeps the identifiers and options and the attributes asked for', () => {
    const pieces = attributePieces(body);
    expect(JSON.parse(keepAttributes(pieces, (a) => a === 1 || a === 3))).toEqual({ external_id: 'u"1', _update_existing_only: true, address: { city: 'Paris', zip: '75' }, plan: null });
    expect(JSON.parse(keepAttributes(pieces, () => false))).toEqual({ external_id: 'u"1', _update_existing_only: true });
    expect(keepAttributes(pieces, () => true)).toBe(pieces.json);
  });

  it('gives one user hash per identity, whatever the attributes, and equal value hashes for equal values', () => {
    const a = attributePieces({ external_id: 'u', x: { b: 1, a: 2 } }).words;
    const b = attributePieces({ x: { a: 2, b: 1 }, external_id: 'u', y: 1 }).words;
    const c = attributePieces({ external_id: 'v', x: 1 }).words;
    expect([a[0], a[1]]).toEqual([b[0], b[1]]);
    expect([a[0], a[1]]).not.toEqual([c[0], c[1]]);
    // An external_id alone is hashed by its own JSON; with an alias, or as an email identifier, it is another identity.
    const aliased = attributePieces({ external_id: 'u', user_alias: { alias_name: 'u', alias_label: 'l' }, x: 1 }).words;
    const email = attributePieces({ email: 'u', x: 1 }).words;
    // A string ID whose text is another identity's (a numeric external_id's, hashed as `{"external_id":5}`).
    const quoted = attributePieces({ external_id: '{"external_id":5}', x: 1 }).words;
    const numeric = attributePieces({ external_id: 5, x: 1 }).words;
    for (const other of [aliased, email, quoted, numeric]) expect([other[0], other[1]]).not.toEqual([a[0], a[1]]);
    expect(new Set([aliased, email, quoted, numeric].map((w) => `${w[0]}:${w[1]}`)).size).toBe(4);
    expect([...a.subarray(4, 8)]).toEqual([...b.subarray(4, 8)]);
    expect([...a.subarray(4, 8)]).not.toEqual([...b.subarray(11, 15)]);
  });
});
