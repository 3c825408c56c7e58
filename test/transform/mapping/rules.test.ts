import { describe, expect, it } from 'vitest';
import { identifierOf } from '../../../src/transform/mapping/identifiers.js';
import { adaptTraits } from '../../../src/transform/mapping/traits.js';
import { adaptObjects } from '../../../src/transform/mapping/objects.js';
import { prepared } from '../../../src/transform/mapping/prepare.js';
import type { MappingRules } from '../../../src/transform/mapping/rules.js';
import type { BrazeObject, FieldTrace, SegmentMessage } from '../../../src/transform/types.js';

const base: MappingRules = {
  file: 'm.json', sha256: '0', identifiers: [{ kind: 'userId', name: 'userId' }], rename: [], drop: [],
  subscriptionGroups: [], pushTokens: undefined, eventRename: [], dropProperties: [], addProperties: [],
};
const rules = (more: Partial<MappingRules>): MappingRules => ({ ...base, ...more });
const msg = (fields: Record<string, unknown>): SegmentMessage => ({ type: 'identify', ...fields });

describe('identifiers (mapping.md §10)', () => {
  const all = rules({ identifiers: [{ kind: 'userId', name: 'userId' }, { kind: 'path', name: 'traits.customer_id', path: ['traits', 'customer_id'] }, { kind: 'email', name: 'email' }, { kind: 'phone', name: 'phone' }] });
  it('takes the first entry that yields a value', () => {
    expect(identifierOf(msg({ userId: 'u', traits: { customer_id: 'c' } }), all)).toMatchObject({ kind: 'ok', id: 'u', key: 'external_id', by: 0 });
    expect(identifierOf(msg({ userId: ' ', traits: { customer_id: 7 } }), all)).toMatchObject({ kind: 'ok', id: '7', key: 'external_id', by: 1 });
    expect(identifierOf(msg({ properties: { email: ' a@b.c ' } }), all)).toMatchObject({ id: 'a@b.c', key: 'email', by: 2, from: 'properties.email' });
  });
  it('counts an email only with @ and a phone only in E.164', () => {
    expect(identifierOf(msg({ traits: { email: 'nobody', phone: '+14155552671' } }), all)).toMatchObject({ key: 'phone', id: '+14155552671' });
    expect(identifierOf(msg({ traits: { phone: '4155552671' } }), all)).toEqual({ kind: 'anonymous' });
  });
  it('rejects a userId of another type, as without a file', () => {
    expect(identifierOf(msg({ userId: { id: 1 } }), all)).toEqual({ kind: 'invalid', reason: 'userId is an object, not a string' });
  });
});

describe('traits (mapping.md §10)', () => {
  it('drops by glob, then renames (the renamed value wins), leaving the message as it was', () => {
    const traits = { given_name: 'Ada', first_name: 'Old', password_hash: 'x', company: { name: 'Acme', size: 2 } };
    const trace: FieldTrace[] = [];
    const out = adaptTraits(traits, prepared(rules({ drop: ['password*'], rename: [{ from: 'given_name', path: ['given_name'], to: 'first_name' }, { from: 'company.name', path: ['company', 'name'], to: 'company_name' }] })), trace);
    expect(out.traits).toEqual({ first_name: 'Ada', company: { size: 2 }, company_name: 'Acme' });
    expect(traits.company).toEqual({ name: 'Acme', size: 2 });
    expect(trace.map((t) => `${t.from} ${t.reason}`)).toEqual([
      'traits.password_hash dropped by the mapping file (attributes.drop "password*")',
      'traits.first_name replaced by traits.given_name, renamed by the mapping file',
    ]);
  });
  it('maps listed values to subscription states, strings case-insensitively, and drops the rest', () => {
    const groups = prepared(rules({ subscriptionGroups: [{ from: 'news', path: ['news'], groupId: 'g', subscribed: ['yes', 1], unsubscribed: ['no', false] }] }));
    const state = (value: unknown) => adaptTraits({ news: value }, groups, undefined).groups.map((g) => g.subscription_state);
    expect(state('YES')).toEqual(['subscribed']);
    expect(state(1)).toEqual(['subscribed']);
    expect(state('1')).toEqual([]);
    expect(state(false)).toEqual(['unsubscribed']);
    expect(state('maybe')).toEqual([]);
    expect(adaptTraits({ news: 'maybe' }, groups, undefined).traits).toEqual({});
  });
});

describe('a trait a subscription group reads is not sent', () => {
  it('is taken away, from a dot path too, before renames see it', () => {
    const mapping = prepared(rules({
      subscriptionGroups: [{ from: 'news', path: ['news'], groupId: 'g', subscribed: [true], unsubscribed: [false] }, { from: 'prefs.sms', path: ['prefs', 'sms'], groupId: 'h', subscribed: [true], unsubscribed: [false] }],
      rename: [{ from: 'news', path: ['news'], to: 'newsletter' }],
    }));
    const out = adaptTraits({ news: true, prefs: { sms: false, lang: 'en' } }, mapping, undefined);
    expect(out.traits).toEqual({ prefs: { lang: 'en' } });
    expect(out.groups).toEqual([{ subscription_group_id: 'g', subscription_state: 'subscribed' }, { subscription_group_id: 'h', subscription_state: 'unsubscribed' }]);
  });
});

describe('events and purchases (mapping.md §10)', () => {
  it('renames events, drops properties by glob and adds constants, copying the message\'s own properties', () => {
    const props = { card_number: '1', plan: 'p', source: 'web' };
    const objects: BrazeObject[] = [
      { kind: 'events', body: { external_id: 'u', name: 'Signed Up', properties: props } },
      { kind: 'purchases', body: { external_id: 'u', product_id: 'p', properties: { card_type: 'v' } } },
      { kind: 'events', body: { external_id: 'u', name: 'Other' } },
    ];
    adaptObjects(objects, prepared(rules({ eventRename: [['Signed Up', 'Account Created']], dropProperties: ['card_*'], addProperties: [['source', 'segment-replay']] })), undefined, props);
    expect(objects.map((o) => o.body)).toEqual([
      { external_id: 'u', name: 'Account Created', properties: { plan: 'p', source: 'segment-replay' } },
      { external_id: 'u', product_id: 'p', properties: { source: 'segment-replay' } },
      { external_id: 'u', name: 'Other', properties: { source: 'segment-replay' } },
    ]);
    expect(props).toEqual({ card_number: '1', plan: 'p', source: 'web' });
  });
});
