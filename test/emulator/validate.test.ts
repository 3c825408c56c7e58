import { describe, expect, it } from 'vitest';
import { answerDelete, answerTrack, objectError } from '../../src/emulator/validate.js';

const none = new Set<string>();
const event = (i: number) => ({ external_id: `u${i}`, name: 'Played', time: '2025-03-02T10:12:44.120Z' });
const attribute = (i: number) => ({ external_id: `u${i}`, plan: 'pro' });
const track = (body: unknown) => JSON.stringify(body);
const many = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));

describe('users/track object limits', () => {
  it('accepts 75 objects in total and refuses 76 (combined-75)', () => {
    expect(answerTrack(track({ events: many(40, event), attributes: many(35, attribute) }), 'combined-75', none).status).toBe(201);
    const over = answerTrack(track({ events: many(40, event), attributes: many(36, attribute) }), 'combined-75', none);
    expect(over).toEqual({ status: 400, body: { message: 'Max Input Length Exceeded', errors: [] }, accepted: [] });
  });

  it('accepts 75 per array and refuses 76 in one array (per-array-75)', () => {
    expect(answerTrack(track({ events: many(75, event), attributes: many(75, attribute) }), 'per-array-75', none).status).toBe(201);
    expect(answerTrack(track({ events: many(76, event) }), 'per-array-75', none).body.message).toBe('Max Input Length Exceeded');
  });

  it('accepts 50 and refuses 51 (combined-50)', () => {
    expect(answerTrack(track({ events: many(50, event) }), 'combined-50', none).status).toBe(201);
    expect(answerTrack(track({ events: many(51, event) }), 'combined-50', none).status).toBe(400);
  });
});

describe('users/track answers', () => {
  it('counts only the arrays sent', () => {
    const answer = answerTrack(track({ events: [event(1), event(2)] }), 'combined-75', none);
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ message: 'success', events_processed: 2 });
  });

  it('processes the valid objects and names the invalid ones', () => {
    const body = { attributes: [attribute(1)], events: [event(1), { external_id: 'u2', name: '', time: '2025-03-02T10:00:00Z' }], purchases: [{ external_id: 'u3', product_id: 'p', currency: 'usd', price: 1, time: '2025-03-02T10:00:00Z' }] };
    const answer = answerTrack(track(body), 'combined-75', none);
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      message: 'success',
      attributes_processed: 1,
      events_processed: 1,
      purchases_processed: 0,
      errors: [
        { type: 'Event name must be a non-empty string', input_array: 'events', index: 1 },
        { type: 'Invalid currency, must be an ISO 4217 code', input_array: 'purchases', index: 0 },
      ],
    });
    expect(answer.accepted.map((a) => a.array)).toEqual(['attributes', 'events']);
  });

  it('answers 400 with the errors when nothing is valid', () => {
    const answer = answerTrack(track({ events: [{ external_id: 'null', name: 'x', time: '2025-03-02T10:00:00Z' }] }), 'combined-75', none);
    expect(answer).toEqual({
      status: 400,
      body: { message: 'No valid objects in request', errors: [{ type: 'provided external_id is blacklisted and disallowed', input_array: 'events', index: 0 }] },
      accepted: [],
    });
  });

  it.each(['{"events": [', '[]', '"x"'])('answers 400 to the unusable body %j', (text) => {
    expect(answerTrack(text, 'combined-75', none)).toEqual({ status: 400, body: { message: 'Invalid JSON in request body', errors: [] }, accepted: [] });
  });

  it('fails the whole request for a poisoned external_id', () => {
    const answer = answerTrack(track({ events: [event(1), event(2)] }), 'combined-75', new Set(['u2']));
    expect(answer.status).toBe(400);
    expect(answer.accepted).toEqual([]);
  });

  // Properties are serialised to be measured only when a cheap upper bound of their size is over
  // the cap: the bound must hold for numbers that grow when re-serialised (15 KB sent, 66 KB counted).
  const purchase = { external_id: 'u', product_id: 'p', currency: 'USD', price: 1, time: '2025-03-02T10:12:44.120Z' };
  it('measures properties written small with exponents (1e20 -> 21 digits)', () => {
    const text = `{"purchases":[${JSON.stringify({ ...purchase, properties: { k: [] } }).replace('[]', `[${many(3000, () => '1e20').join(',')}]`)}]}`;
    expect(Buffer.byteLength(text)).toBeLessThan(50 * 1024);
    expect(answerTrack(text, 'combined-75', none).body).toMatchObject({ errors: [{ type: 'properties exceed 50 KB', input_array: 'purchases', index: 0 }] });
  });

  it('accepts properties just under the limit and refuses them just over it, in a body over the limit', () => {
    const sized = (n: number) => ({ ...purchase, properties: { k: 'x'.repeat(200), l: many(n, () => 'y'.repeat(40)) } });
    const under = JSON.stringify(sized(1).properties).length;
    const n = Math.floor((50 * 1024 - under) / 43) + 1;
    expect(JSON.stringify(sized(n).properties).length).toBeLessThanOrEqual(50 * 1024);
    expect(JSON.stringify(sized(n + 1).properties).length).toBeGreaterThan(50 * 1024);
    expect(answerTrack(track({ purchases: [sized(n)] }), 'combined-75', none).status).toBe(201);
    expect(answerTrack(track({ purchases: [sized(n + 1)] }), 'combined-75', none).body).toMatchObject({ errors: [{ type: 'properties exceed 50 KB' }] });
  });
});

describe('objectError', () => {
  const time = '2025-03-02T10:00:00Z';
  const purchase = { external_id: 'u', product_id: 'p', currency: 'USD', price: 9.5, time };
  it.each<[string, 'attributes' | 'events' | 'purchases', unknown, string | undefined]>([
    ['a valid event', 'events', { external_id: 'u', name: 'n', time, properties: { a: 1 } }, undefined],
    ['the colon-millisecond time format', 'events', { external_id: 'u', name: 'n', time: '2025-03-02T10:00:00:123Z' }, undefined],
    ['an alias as identifier', 'events', { user_alias: { alias_name: 'a', alias_label: 'l' }, name: 'n', time }, undefined],
    ['an email as identifier', 'attributes', { email: 'a@b.c', first_name: 'A' }, undefined],
    ['no identifier', 'attributes', { first_name: 'A' }, "'external_id' or 'braze_id' or 'user_alias' or 'email' or 'phone' is required"],
    ['a numeric external_id', 'attributes', { external_id: 5 }, 'external_id must be a string'],
    ['a blacklisted external_id in any case', 'attributes', { external_id: 'Anonymous' }, 'provided external_id is blacklisted and disallowed'],
    ['-1 as external_id', 'attributes', { external_id: '-1' }, 'provided external_id is blacklisted and disallowed'],
    ['an unparseable time', 'events', { external_id: 'u', name: 'n', time: 'yesterday' }, 'Invalid time, must be an ISO-8601 date string'],
    ['a missing time', 'events', { external_id: 'u', name: 'n' }, 'Invalid time, must be an ISO-8601 date string'],
    ['a reserved property', 'events', { external_id: 'u', name: 'n', time, properties: { event_name: 'x' } }, "Property name 'event_name' is reserved"],
    ['a $ property', 'events', { external_id: 'u', name: 'n', time, properties: { $x: 1 } }, "Property name '$x' must not begin with $"],
    ['a 255-character property name', 'events', { external_id: 'u', name: 'n', time, properties: { ['k'.repeat(255)]: 1 } }, undefined],
    ['a 256-character property name', 'events', { external_id: 'u', name: 'n', time, properties: { ['k'.repeat(256)]: 1 } }, 'Property name must be 1 to 255 characters'],
    ['a 255-character value', 'events', { external_id: 'u', name: 'n', time, properties: { k: 'v'.repeat(255) } }, undefined],
    ['a 256-character value', 'events', { external_id: 'u', name: 'n', time, properties: { k: 'v'.repeat(256) } }, "Value of 'k' is longer than 255 characters"],
    ['event properties over 100 KB', 'events', { external_id: 'u', name: 'n', time, properties: { k: many(2100, () => 'x'.repeat(50)) } }, 'properties exceed 100 KB'],
    ['purchase properties over 50 KB', 'purchases', { ...purchase, properties: { k: many(1100, () => 'x'.repeat(50)) } }, 'properties exceed 50 KB'],
    ['a valid purchase', 'purchases', purchase, undefined],
    ['quantity 100', 'purchases', { ...purchase, quantity: 100 }, undefined],
    ['quantity 101', 'purchases', { ...purchase, quantity: 101 }, 'Invalid quantity, must be an integer from 1 to 100'],
    ['quantity 0', 'purchases', { ...purchase, quantity: 0 }, 'Invalid quantity, must be an integer from 1 to 100'],
    ['quantity 1.5', 'purchases', { ...purchase, quantity: 1.5 }, 'Invalid quantity, must be an integer from 1 to 100'],
    ['a string price', 'purchases', { ...purchase, price: '9.5' }, 'Invalid price, must be a number'],
    ['an unknown currency', 'purchases', { ...purchase, currency: 'XYZ' }, 'Invalid currency, must be an ISO 4217 code'],
    ['a 255-character product_id', 'purchases', { ...purchase, product_id: 'p'.repeat(255) }, undefined],
    ['a 256-character product_id', 'purchases', { ...purchase, product_id: 'p'.repeat(256) }, 'product_id must be a string of 1 to 255 characters'],
    ['an attribute key starting with $', 'attributes', { external_id: 'u', $x: 1 }, "Attribute name '$x' must not begin with $"],
    ['a 256-character attribute string', 'attributes', { external_id: 'u', bio: 'b'.repeat(256) }, "Value of 'bio' is longer than 255 characters"],
  ])('judges %s', (_name, array, object, expected) => {
    expect(objectError(array, object)).toBe(expected);
  });
});

describe('users/delete answers', () => {
  const ids = (n: number) => JSON.stringify({ external_ids: many(n, (i) => `u${i}`) });

  it('deletes 50 ids and refuses 51', () => {
    expect(answerDelete(ids(50), none)).toMatchObject({ status: 201, body: { deleted: 50, message: 'success' } });
    expect(answerDelete(ids(51), none)).toEqual({
      status: 400,
      body: { message: 'The max number of external_ids and aliases per request was exceeded', errors: [] },
      accepted: [],
    });
  });

  it('counts mixed identifier types together against 50', () => {
    const body = { external_ids: many(30, (i) => `u${i}`), user_aliases: many(21, (i) => ({ alias_name: `a${i}`, alias_label: 'l' })) };
    expect(answerDelete(JSON.stringify(body), none).status).toBe(400);
  });

  it('lists every deleted id with its array', () => {
    const body = { braze_ids: ['b1'], user_aliases: [{ alias_name: 'a', alias_label: 'l' }], email_addresses: [{ email: 'a@b.c', prioritization: ['identified'] }] };
    expect(answerDelete(JSON.stringify(body), none).accepted).toEqual([
      { array: 'braze_ids', id: 'b1' },
      { array: 'user_aliases', id: { alias_name: 'a', alias_label: 'l' } },
      { array: 'email_addresses', id: { email: 'a@b.c', prioritization: ['identified'] } },
    ]);
  });

  it('refuses an alias without a label', () => {
    expect(answerDelete(JSON.stringify({ user_aliases: [{ alias_name: 'a' }] }), none).body.message).toBe("Invalid entry in 'user_aliases' at index 0");
  });
});
