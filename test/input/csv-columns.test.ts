import { describe, expect, it } from 'vitest';
import { buildMessage, headerProblem, normaliseTimestamp, planColumns, typeCell } from '../../src/input/csv/csv-columns.js';

function row(header: string[], cells: string[]): Record<string, unknown> {
  return buildMessage(planColumns(header), cells);
}

describe('planColumns + buildMessage', () => {
  it('follows dot paths into the message', () => {
    expect(row(['type', 'userId', 'traits.email', 'context.traits.plan'], ['identify', 'u1', 'a@b.co', 'pro'])).toEqual({
      type: 'identify',
      userId: 'u1',
      traits: { email: 'a@b.co' },
      context: { traits: { plan: 'pro' } },
    });
  });

  it('maps warehouse names and drops uuid, uuid_ts and loaded_at', () => {
    const header = ['id', 'user_id', 'anonymous_id', 'sent_at', 'group_id', 'previous_id', 'uuid', 'uuid_ts', 'loaded_at', 'type'];
    const cells = ['m1', 'u1', 'a1', '2025-03-02 10:15:00.400', 'g1', 'p1', 'x', 'y', 'z', 'group'];
    expect(row(header, cells)).toEqual({
      messageId: 'm1',
      userId: 'u1',
      anonymousId: 'a1',
      sentAt: '2025-03-02T10:15:00.400Z',
      groupId: 'g1',
      previousId: 'p1',
      type: 'group',
    });
  });

  it('takes the event name from event_text and drops the event slug', () => {
    expect(row(['event', 'event_text', 'user_id'], ['order_completed', 'Order Completed', 'u1'])).toEqual({
      type: 'track',
      event: 'Order Completed',
      userId: 'u1',
    });
  });

  it('takes the event name from event when there is no event_text', () => {
    expect(row(['event', 'user_id'], ['Signed Up', 'u1'])).toEqual({ type: 'track', event: 'Signed Up', userId: 'u1' });
  });

  it('puts context_* columns in the context without unflattening the rest of the name', () => {
    expect(row(['context_ip', 'context_library_name', 'user_id'], ['203.0.113.7', 'analytics.js', 'u1'])).toEqual({
      type: 'identify',
      userId: 'u1',
      context: { ip: '203.0.113.7', library_name: 'analytics.js' },
    });
  });

  it('makes other columns properties of tracks and traits of identifies and groups', () => {
    expect(row(['type', 'plan'], ['track', 'pro'])).toEqual({ type: 'track', properties: { plan: 'pro' } });
    expect(row(['type', 'plan'], ['identify', 'pro'])).toEqual({ type: 'identify', traits: { plan: 'pro' } });
    expect(row(['type', 'plan'], ['group', 'pro'])).toEqual({ type: 'group', traits: { plan: 'pro' } });
  });

  it('puts name and category at the top level of pages and screens only', () => {
    expect(row(['type', 'name', 'category'], ['page', 'Home', 'Docs'])).toEqual({ type: 'page', name: 'Home', category: 'Docs' });
    expect(row(['type', 'name'], ['track', 'Home'])).toEqual({ type: 'track', properties: { name: 'Home' } });
    expect(row(['type', 'name'], ['identify', 'Ada'])).toEqual({ type: 'identify', traits: { name: 'Ada' } });
  });

  it('reads rows as identifies without type and event columns, tracks with an event column', () => {
    expect(planColumns(['user_id', 'email']).defaultType).toBe('identify');
    expect(planColumns(['user_id', 'event_text']).defaultType).toBe('track');
    expect(row(['type', 'event', 'user_id'], ['', 'E', 'u1'])).toEqual({ type: 'track', event: 'E', userId: 'u1' });
  });

  it('leaves empty cells out', () => {
    expect(row(['user_id', 'email', 'plan'], ['u1', '', ''])).toEqual({ type: 'identify', userId: 'u1' });
  });

  it('merges dot-path columns into a JSON properties column whatever the column order', () => {
    expect(row(['properties.price', 'type', 'properties'], ['3', 'track', '{"price":1,"sku":"s"}'])).toEqual({
      type: 'track',
      properties: { price: 3, sku: 's' },
    });
  });

  it('parses JSON object and array cells, keeps invalid JSON as text', () => {
    expect(row(['type', 'products', 'note'], ['track', '[{"sku":"a","price":19}]', '{not json'])).toEqual({
      type: 'track',
      properties: { products: [{ sku: 'a', price: 19 }], note: '{not json' },
    });
  });

  it('keeps IDs and names as strings', () => {
    const header = ['user_id', 'anonymous_id', 'id', 'group_id', 'event', 'traits.userId', 'email', 'phone', 'order_id'];
    const cells = ['123', '456', '789', '1', '42', '7', 'true', '15551234567', '1001'];
    expect(row(header, cells)).toEqual({
      type: 'track',
      userId: '123',
      anonymousId: '456',
      messageId: '789',
      groupId: '1',
      event: '42',
      traits: { userId: '7' },
      properties: { email: 'true', phone: '15551234567', order_id: '1001' },
    });
  });

  it('ignores columns that would reach Object.prototype', () => {
    const message = row(['__proto__', 'properties.__proto__.x', 'user_id'], ['{"polluted":1}', '1', 'u1']);
    expect(message).toEqual({ type: 'identify', userId: 'u1' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('headerProblem', () => {
  it('accepts a header with one Segment field and refuses one with none', () => {
    expect(headerProblem(planColumns(['user_id', 'plan']))).toBeUndefined();
    expect(headerProblem(planColumns(['properties.price']))).toBeUndefined();
    expect(headerProblem(planColumns(['context_ip']))).toBeUndefined();
    expect(headerProblem(planColumns(['hello world']))).toMatch(/^not a Segment CSV export/);
    expect(headerProblem(planColumns(['plan', 'price']))).toMatch(/^not a Segment CSV export/);
  });
});

describe('typeCell', () => {
  it.each([
    ['42', 42],
    ['-3.5', -3.5],
    ['0', 0],
    ['true', true],
    ['false', false],
    ['null', null],
    ['007', '007'],
    ['1.50', '1.50'],
    ['1e5', '1e5'],
    ['-0', '-0'],
    ['Infinity', 'Infinity'],
    ['12345678901234567890', '12345678901234567890'],
    [' 42', ' 42'],
    ['TRUE', 'TRUE'],
    ['{"a":[1]}', { a: [1] }],
    ['[1,"x"]', [1, 'x']],
  ])('types %j as %j', (cell, expected) => {
    expect(typeCell(cell, 'json')).toEqual(expected);
  });

  it('never types string columns', () => {
    expect(typeCell('42', 'string')).toBe('42');
    expect(typeCell('{"a":1}', 'string')).toBe('{"a":1}');
  });
});

describe('normaliseTimestamp', () => {
  it.each([
    ['2025-03-02 10:15:00.000', '2025-03-02T10:15:00.000Z'],
    ['2025-03-02 10:15:00', '2025-03-02T10:15:00.000Z'],
    ['2025-03-02T10:15:00.812Z', '2025-03-02T10:15:00.812Z'],
    ['2025-03-02 10:15:00.812345', '2025-03-02T10:15:00.812Z'],
    ['2025-03-02 10:15:00.5 UTC', '2025-03-02T10:15:00.500Z'],
    ['2025-03-02 10:15:00+00', '2025-03-02T10:15:00.000Z'],
    ['2025-03-02T12:15:00+02:00', '2025-03-02T10:15:00.000Z'],
    ['2025-03-02 05:15:00.000-0500', '2025-03-02T10:15:00.000Z'],
    ['2025-03-02 10:15', '2025-03-02T10:15:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(normaliseTimestamp(text)).toBe(iso);
  });

  it('leaves what it does not recognise unchanged', () => {
    expect(normaliseTimestamp('yesterday')).toBe('yesterday');
    expect(normaliseTimestamp('2025-13-45 10:15:00')).toBe('2025-13-45 10:15:00');
  });

  it('returns what parsing would for any time already written as ISO UTC, days 28-31 and hour 24 included', () => {
    const two = (n: number) => String(n).padStart(2, '0');
    for (const year of ['0000', '2024', '2025', '9999']) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          for (const time of ['00:00:00.000', '23:59:59.125', '24:00:00.000', '12:60:00.000', '12:00:60.000']) {
            const text = `${year}-${two(month)}-${two(day)}T${time}Z`;
            const parsed = Date.parse(text);
            expect(normaliseTimestamp(text), text).toBe(Number.isNaN(parsed) ? text : new Date(parsed).toISOString());
          }
        }
      }
    }
  });
});
