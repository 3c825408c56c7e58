import { describe, expect, it } from 'vitest';
import { answerTrack, objectError } from '../../src/emulator/validate.js';

const GROUP = '0b6e1c9a-5d1f-4a57-9d0e-6d3c2f1a7b11';

describe('the emulator checks what a mapping file adds, as Braze does', () => {
  it.each([
    ['an email identifier', { email: 'ada@example.com', plan: 'p' }],
    ['a phone identifier in E.164', { phone: '+14155552671', plan: 'p' }],
    ['email and phone together (email identifies)', { email: 'ada@example.com', phone: 'not checked' }],
    ['an external_id with any phone attribute', { external_id: 'u1', phone: '555-1234' }],
    ['subscription_groups', { external_id: 'u1', subscription_groups: [{ subscription_group_id: GROUP, subscription_state: 'unsubscribed' }] }],
    ['push_tokens with and without device_id', { external_id: 'u1', push_tokens: [{ app_id: 'a', token: 't', device_id: 'd' }, { app_id: 'a', token: 't2' }] }],
  ])('accepts %s', (_name, object) => {
    expect(objectError('attributes', object)).toBeUndefined();
  });

  it.each([
    ['an email identifier without @', { email: 'nobody' }, 'email identifier is not a valid email address'],
    ['a phone identifier not in E.164', { phone: '555-1234' }, 'phone identifier must be an E.164 number (+14155552671)'],
    ['subscription_groups that is not an array', { external_id: 'u1', subscription_groups: {} }, 'subscription_groups must be an array'],
    ['a subscription state Braze does not know', { external_id: 'u1', subscription_groups: [{ subscription_group_id: GROUP, subscription_state: 'opted_in' }] }, "subscription_state must be 'subscribed' or 'unsubscribed'"],
    ['a subscription group without id', { external_id: 'u1', subscription_groups: [{ subscription_state: 'subscribed' }] }, 'subscription_group_id must be a non-empty string'],
    ['a push token without app_id', { external_id: 'u1', push_tokens: [{ token: 't' }] }, 'push_tokens app_id must be a non-empty string'],
    ['an empty push token', { external_id: 'u1', push_tokens: [{ app_id: 'a', token: '' }] }, 'push_tokens token must be a non-empty string'],
    ['a numeric device_id', { external_id: 'u1', push_tokens: [{ app_id: 'a', token: 't', device_id: 7 }] }, 'push_tokens device_id must be a string'],
  ])('refuses %s', (_name, object, expected) => {
    expect(objectError('attributes', object)).toBe(expected);
  });

  it('answers a request with a refused push token with its error and keeps the rest', () => {
    const body = { attributes: [{ external_id: 'u1', push_tokens: [{ token: 't' }] }, { email: 'ada@example.com', plan: 'p' }] };
    const answer = answerTrack(JSON.stringify(body), 'combined-75', new Set());
    expect(answer.status).toBe(201);
    expect(answer.body['errors']).toEqual([{ type: 'push_tokens app_id must be a non-empty string', input_array: 'attributes', index: 0 }]);
    expect(answer.accepted).toHaveLength(1);
  });
});
