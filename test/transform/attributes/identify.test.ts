import { describe, expect, it } from 'vitest';
import { mapMessage } from '../../../src/transform/map-message.js';
import type { MapResult, MappingSettings, SegmentMessage } from '../../../src/transform/types.js';

const classic = (over: Partial<MappingSettings> = {}): MappingSettings => ({
  preset: 'classic', pages: 'none', purchases: 'order-completed', time: 'timestamp', updateExistingOnly: false,
  appId: undefined, includeBrazeEvents: false, since: undefined, until: undefined, ...over,
});
const actions = (over: Partial<MappingSettings> = {}): MappingSettings => classic({ preset: 'actions', time: 'receivedAt', ...over });

const identify = (traits: unknown, extra: Record<string, unknown> = {}): SegmentMessage => ({ type: 'identify', userId: 'u1', traits, ...extra });

/** The single attributes body of a sent identify. */
function attributes(result: MapResult): Record<string, unknown> {
  expect(result.fate).toBe('sent');
  if (result.fate !== 'sent') throw new Error('not sent');
  expect(result.objects).toHaveLength(1);
  expect(result.objects[0]!.kind).toBe('attributes');
  return result.objects[0]!.body;
}
const run = (msg: SegmentMessage, settings = classic()) => mapMessage(msg, settings, { trace: true });
const attrs = (traits: unknown, settings = classic(), extra: Record<string, unknown> = {}) => attributes(run(identify(traits, extra), settings));

describe('identify, classic preset', () => {
  it('maps the spec traits to standard attributes', () => {
    expect(attrs({ firstName: 'Ada', lastName: 'Okafor', email: 'ada@example.org', phone: '+15551234', avatar: 'https://x/a.png' })).toEqual({
      external_id: 'u1', first_name: 'Ada', last_name: 'Okafor', email: 'ada@example.org', phone: '+15551234', image_url: 'https://x/a.png',
    });
  });

  it('puts external_id first', () => {
    expect(Object.keys(attrs({ plan: 'pro', email: 'a@b.c' }))).toEqual(['external_id', 'email', 'plan']);
  });

  it('sends a number userId as its string', () => {
    expect(attributes(run({ type: 'identify', userId: 42, traits: { plan: 'pro' } }))).toEqual({ external_id: '42', plan: 'pro' });
  });

  it('prefers firstName over first_name and reports the other as a duplicate', () => {
    const result = run(identify({ firstName: 'Ada', first_name: 'Adaeze' }));
    expect(attributes(result)).toEqual({ external_id: 'u1', first_name: 'Ada' });
    expect(result.trace).toContainEqual({ from: 'traits.first_name', action: 'dropped', reason: 'duplicate of firstName' });
  });

  it('splits name at the first space when no first or last name is given', () => {
    expect(attrs({ name: 'Ada Okafor Smith' })).toEqual({ external_id: 'u1', first_name: 'Ada', last_name: 'Okafor Smith' });
  });

  it('sends a one-word name as first_name only', () => {
    expect(attrs({ name: 'Ada' })).toEqual({ external_id: 'u1', first_name: 'Ada' });
  });

  it('does not send name when a first or last name is given', () => {
    const result = run(identify({ name: 'Ada Okafor', lastName: 'O.' }));
    expect(attributes(result)).toEqual({ external_id: 'u1', last_name: 'O.' });
    expect(result.trace).toContainEqual({ from: 'traits.name', action: 'dropped', reason: 'first or last name given; name is not sent' });
  });

  it('formats birthday as dob YYYY-MM-DD in UTC', () => {
    expect(attrs({ birthday: '1990-05-17T23:30:00-02:00' })).toEqual({ external_id: 'u1', dob: '1990-05-18' });
  });

  it('drops an unparseable birthday with its reason', () => {
    const result = run(identify({ birthday: 'May 17', plan: 'pro' }));
    expect(attributes(result)).toEqual({ external_id: 'u1', plan: 'pro' });
    expect(result.trace).toContainEqual({ from: 'traits.birthday', action: 'dropped', reason: 'dob: "May 17" is not a date' });
  });

  it.each([
    ['m', 'M'], ['Male', 'M'], ['MAN', 'M'], ['f', 'F'], ['female', 'F'], ['Woman', 'F'], ['w', 'F'],
    ['o', 'O'], ['other', 'O'], ['n', 'N'], ['Not Applicable', 'N'], ['p', 'P'], ['prefer not to say', 'P'],
  ])('maps gender %s to %s', (value, code) => {
    expect(attrs({ gender: value })).toEqual({ external_id: 'u1', gender: code });
  });

  it('drops an unknown gender with its reason', () => {
    const result = run(identify({ gender: 'unknown', plan: 'pro' }));
    expect(attributes(result)).toEqual({ external_id: 'u1', plan: 'pro' });
    expect(result.trace).toContainEqual({ from: 'traits.gender', action: 'dropped', reason: 'gender: "unknown" is not one of M, F, O, N, P or a spelling of them' });
  });

  it('maps address city and country and keeps the rest as a nested address', () => {
    expect(attrs({ address: { city: 'Lagos', country: 'Nigeria', street: '1 Marina', postalCode: '101001' } })).toEqual({
      external_id: 'u1', home_city: 'Lagos', country: 'NG', address: { street: '1 Marina', postalCode: '101001' },
    });
  });

  it('sends no address when only city and country were in it', () => {
    expect(attrs({ address: { city: 'Paris', country: 'fr' } })).toEqual({ external_id: 'u1', home_city: 'Paris', country: 'FR' });
  });

  it('drops an unknown country with its reason', () => {
    const result = run(identify({ address: { country: 'Atlantis' }, plan: 'pro' }));
    expect(attributes(result)).toEqual({ external_id: 'u1', plan: 'pro' });
    expect(result.trace).toContainEqual({
      from: 'traits.address.country', action: 'dropped', reason: 'country: "Atlantis" is not an ISO-3166 country code or a known country name',
    });
  });

  it('drops id, which repeats userId', () => {
    const result = run(identify({ id: 'u1', plan: 'pro' }));
    expect(attributes(result)).toEqual({ external_id: 'u1', plan: 'pro' });
    expect(result.trace).toContainEqual({ from: 'traits.id', action: 'dropped', reason: 'id repeats userId' });
  });

  it('skips an identify whose traits give no attribute as notMapped', () => {
    expect(run(identify({ id: 'u1' }))).toEqual({ fate: 'skipped', reason: 'notMapped', detail: 'identify traits give no attribute', trace: [] });
    expect(run({ type: 'identify', userId: 'u1' })).toMatchObject({ fate: 'skipped', reason: 'notMapped' });
  });

  it('ignores context.traits', () => {
    expect(run(identify({}, { context: { traits: { email: 'a@b.c' } } }))).toMatchObject({ fate: 'skipped', reason: 'notMapped' });
  });

  it('validates Braze standard names given as traits', () => {
    expect(attrs({
      email_subscribe: 'opted_in', push_subscribe: 'Unsubscribed', time_zone: 'Europe/Paris', language: 'FR', dob: '1990-05-17',
      country: 'de', home_city: 'Berlin', gender: 'F', first_name: 'Ada', last_name: 'O', phone: '1', email: 'e@x.y', image_url: 'u',
    })).toEqual({
      external_id: 'u1', first_name: 'Ada', last_name: 'O', email: 'e@x.y', phone: '1', image_url: 'u', dob: '1990-05-17', gender: 'F',
      home_city: 'Berlin', country: 'DE', email_subscribe: 'opted_in', push_subscribe: 'unsubscribed', time_zone: 'Europe/Paris', language: 'fr',
    });
  });

  it.each([
    ['email_subscribe', 'yes', 'email_subscribe: "yes" is not one of opted_in, subscribed, unsubscribed'],
    ['push_subscribe', true, 'push_subscribe: true is not one of opted_in, subscribed, unsubscribed'],
    ['time_zone', 'Mars/Olympus', 'time_zone: "Mars/Olympus" is not an IANA time zone'],
    ['language', 'eng', 'language: "eng" is not an ISO-639-1 language code'],
    ['language', 'xx', 'language: "xx" is not an ISO-639-1 language code'],
    ['dob', 'someday', 'dob: "someday" is not a date'],
    ['country', 'Narnia', 'country: "Narnia" is not an ISO-3166 country code or a known country name'],
    ['email', { a: 1 }, 'email: {"a":1} is not a string'],
  ])('drops an invalid %s (%j) with its reason', (key, value, reason) => {
    const result = run(identify({ [key]: value, plan: 'pro' }));
    expect(attributes(result)).toEqual({ external_id: 'u1', plan: 'pro' });
    expect(result.trace).toContainEqual({ from: `traits.${key}`, action: 'dropped', reason });
  });

  it.each([['UTC'], ['Etc/GMT+5'], ['America/New_York']])('accepts time zone %s', (zone) => {
    expect(attrs({ time_zone: zone })).toEqual({ external_id: 'u1', time_zone: zone });
  });

  it('lets address.country win over a country trait', () => {
    const result = run(identify({ address: { country: 'Spain' }, country: 'PT' }));
    expect(attributes(result)).toEqual({ external_id: 'u1', country: 'ES' });
    expect(result.trace).toContainEqual({ from: 'traits.country', action: 'dropped', reason: 'duplicate of address.country' });
  });

  it('passes custom values as is: string, number, boolean, null, array, nested object', () => {
    const traits = { plan: 'pro', seats: 3, vip: true, coupon: null, tags: ['a', 'b'], prefs: { color: 'red', sizes: { shoe: 42 } } };
    expect(attrs(traits)).toEqual({ external_id: 'u1', ...traits });
  });

  it('keeps a 255-character string and truncates a 256-character one to 255', () => {
    const result = run(identify({ a: 'x'.repeat(255), b: 'y'.repeat(256) }));
    expect(attributes(result)).toEqual({ external_id: 'u1', a: 'x'.repeat(255), b: 'y'.repeat(255) });
    expect(result.trace).toContainEqual({ from: 'traits.b', to: 'attributes.b', action: 'changed', reason: 'truncated to 255 characters', value: 'y'.repeat(255) });
  });

  it('truncates long strings in nested values', () => {
    expect(attrs({ prefs: { note: 'z'.repeat(300) }, list: ['q'.repeat(256)] })).toEqual({
      external_id: 'u1', prefs: { note: 'z'.repeat(255) }, list: ['q'.repeat(255)],
    });
  });

  it('drops keys starting with $ and keys longer than 255 characters, keeping one of 255', () => {
    const result = run(identify({ $set: 1, ['k'.repeat(256)]: 1, ['j'.repeat(255)]: 2 }));
    expect(attributes(result)).toEqual({ external_id: 'u1', ['j'.repeat(255)]: 2 });
    expect(result.trace).toContainEqual({ from: 'traits.$set', action: 'dropped', reason: 'attribute keys starting with "$" are reserved by Braze' });
    expect(result.trace).toContainEqual({ from: `traits.${'k'.repeat(256)}`, action: 'dropped', reason: 'attribute key longer than 255 characters' });
  });

  it('drops nested keys containing ".", "$" or a space, at any depth', () => {
    const result = run(identify({ prefs: { 'a.b': 1, $x: 2, 'c d': 3, ok: { 'e f': 4, fine: 5 } } }));
    expect(attributes(result)).toEqual({ external_id: 'u1', prefs: { ok: { fine: 5 } } });
    expect(result.trace).toContainEqual({ from: 'traits.prefs.ok.e f', action: 'dropped', reason: 'nested attribute keys may not contain ".", "$" or spaces' });
  });

  it('never lets a trait overwrite external_id', () => {
    const result = run(identify({ external_id: 'other', plan: 'pro' }));
    expect(attributes(result)).toEqual({ external_id: 'u1', plan: 'pro' });
  });

  it('adds _update_existing_only with --update-existing-only and no app_id on attributes', () => {
    expect(attrs({ plan: 'pro' }, classic({ updateExistingOnly: true, appId: 'app' }))).toEqual({ external_id: 'u1', plan: 'pro', _update_existing_only: true });
  });

  it('traces userId and each mapped trait', () => {
    expect(run(identify({ email: 'a@b.c' })).trace).toEqual([
      { from: 'userId', to: 'attributes.external_id', action: 'mapped' },
      { from: 'traits.email', to: 'attributes.email', action: 'mapped' },
    ]);
  });

  it('returns no traces when trace is off', () => {
    expect(mapMessage(identify({ email: 'a@b.c', $x: 1 }), classic(), { trace: false }).trace).toEqual([]);
  });
});

describe('identify, actions preset', () => {
  const location = { country: 'United States', latitude: 40.7, longitude: -74 };

  it('takes country and current_location from context.location', () => {
    expect(attrs({ email: 'a@b.c' }, actions(), { context: { location } })).toEqual({
      external_id: 'u1', email: 'a@b.c', country: 'US', current_location: { latitude: 40.7, longitude: -74 },
    });
  });

  it('drops current_location when one coordinate is missing', () => {
    const result = run(identify({ plan: 'pro' }, { context: { location: { latitude: 1 } } }), actions());
    expect(attributes(result)).toEqual({ external_id: 'u1', plan: 'pro' });
    expect(result.trace).toContainEqual({ from: 'context.location', action: 'dropped', reason: 'current_location needs numeric latitude and longitude' });
  });

  it('sends address whole and also address.city as home_city; address.country is not country', () => {
    const address = { city: 'Lagos', country: 'Nigeria', street: '1 Marina' };
    expect(attrs({ address }, actions())).toEqual({ external_id: 'u1', home_city: 'Lagos', address });
  });

  it('keeps birthday, name and id as custom attributes', () => {
    expect(attrs({ birthday: '1990-05-17', name: 'Ada Okafor', id: 'u1' }, actions())).toEqual({
      external_id: 'u1', birthday: '1990-05-17', name: 'Ada Okafor', id: 'u1',
    });
  });

  it('passes an unknown gender unchanged and maps known ones', () => {
    expect(attrs({ gender: 'unknown' }, actions())).toEqual({ external_id: 'u1', gender: 'unknown' });
    expect(attrs({ gender: 'Female' }, actions())).toEqual({ external_id: 'u1', gender: 'F' });
  });

  it('still validates dob given as a trait', () => {
    expect(attrs({ dob: '1990-05-17T10:00:00Z' }, actions())).toEqual({ external_id: 'u1', dob: '1990-05-17' });
  });
});
