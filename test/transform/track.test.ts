import { describe, expect, it } from 'vitest';
import { mapMessage } from '../../src/transform/map-message.js';
import { propertiesBytes, propertiesCanExceed } from '../../src/transform/events/properties.js';
import type { MapResult, MappingSettings, SegmentMessage } from '../../src/transform/types.js';

const classic = (over: Partial<MappingSettings> = {}): MappingSettings => ({
  preset: 'classic', pages: 'none', purchases: 'order-completed', time: 'timestamp', updateExistingOnly: false,
  appId: undefined, includeBrazeEvents: false, since: undefined, until: undefined, ...over,
});
const actions = (over: Partial<MappingSettings> = {}): MappingSettings => classic({ preset: 'actions', time: 'receivedAt', ...over });

const TS = '2025-03-02T10:15:00.000Z';
const track = (extra: Record<string, unknown>): SegmentMessage => ({ type: 'track', userId: 'u1', event: 'Signed Up', timestamp: TS, ...extra });
const run = (msg: SegmentMessage, settings = classic()): MapResult => mapMessage(msg, settings, { trace: true });

function event(result: MapResult): Record<string, unknown> {
  if (result.fate !== 'sent') throw new Error(`not sent: ${JSON.stringify(result)}`);
  expect(result.objects).toHaveLength(1);
  expect(result.objects[0]!.kind).toBe('events');
  return result.objects[0]!.body;
}

/** Properties whose JSON is exactly `bytes` long (ASCII). */
function propertiesOf(bytes: number): Record<string, unknown> {
  const props: Record<string, unknown> = { pad: [] as string[] };
  const list = props['pad'] as string[];
  while (propertiesBytes(props) + 253 <= bytes) list.push('x'.repeat(250));
  const left = bytes - propertiesBytes(props) - (list.length > 0 ? 3 : 2);
  list.push('y'.repeat(left));
  expect(propertiesBytes(props)).toBe(bytes);
  return props;
}

describe('track -> custom event', () => {
  it('maps event, time and properties', () => {
    expect(event(run(track({ properties: { plan: 'pro', nested: { a: [1, 2] }, none: null } })))).toEqual({
      external_id: 'u1', name: 'Signed Up', time: TS, properties: { plan: 'pro', nested: { a: [1, 2] }, none: null },
    });
  });

  it('sends no properties key for absent or empty properties', () => {
    expect(event(run(track({})))).toEqual({ external_id: 'u1', name: 'Signed Up', time: TS });
    expect(event(run(track({ properties: {} })))).toEqual({ external_id: 'u1', name: 'Signed Up', time: TS });
  });

  it('adds app_id and _update_existing_only when set', () => {
    expect(event(run(track({}), classic({ appId: 'app-1', updateExistingOnly: true })))).toEqual({
      external_id: 'u1', app_id: 'app-1', name: 'Signed Up', time: TS, _update_existing_only: true,
    });
  });

  it('writes the time as ISO UTC with milliseconds', () => {
    expect(event(run(track({ timestamp: '2025-03-02 11:15:00+01:00' })))['time']).toBe(TS);
    expect(event(run(track({ timestamp: Date.parse(TS) })))['time']).toBe(TS);
  });

  it('takes receivedAt first in the actions preset', () => {
    expect(event(run(track({ receivedAt: '2025-03-02T10:15:05.210Z' }), actions()))['time']).toBe('2025-03-02T10:15:05.210Z');
  });

  it('drops time, event_name, $ keys and keys over 255 characters, each with a reason', () => {
    const props = { time: 1, event_name: 'x', $ref: 1, ['k'.repeat(256)]: 1, ['j'.repeat(255)]: 2, deep: { $x: 1, y: 2 } };
    const result = run(track({ properties: props }));
    expect(event(result)['properties']).toEqual({ ['j'.repeat(255)]: 2, deep: { y: 2 } });
    expect(result.trace).toContainEqual({ from: 'properties.time', action: 'dropped', reason: 'Braze reserves event property "time"' });
    expect(result.trace).toContainEqual({ from: 'properties.event_name', action: 'dropped', reason: 'Braze reserves event property "event_name"' });
    expect(result.trace).toContainEqual({ from: 'properties.$ref', action: 'dropped', reason: 'keys starting with "$" are reserved by Braze' });
    expect(result.trace).toContainEqual({ from: 'properties.deep.$x', action: 'dropped', reason: 'keys starting with "$" are reserved by Braze' });
    expect(result.trace).toContainEqual({ from: `properties.${'k'.repeat(256)}`, action: 'dropped', reason: 'key longer than 255 characters' });
  });

  it('keeps a 255-character value and truncates a 256-character one', () => {
    const result = run(track({ properties: { a: 'a'.repeat(255), b: 'b'.repeat(256) } }));
    expect(event(result)['properties']).toEqual({ a: 'a'.repeat(255), b: 'b'.repeat(255) });
    expect(result.trace).toContainEqual({
      from: 'properties.b', to: 'events[0].properties.b', action: 'changed', reason: 'truncated to 255 characters', value: 'b'.repeat(255),
    });
  });

  it('sends properties of exactly 50 KB and rejects 50 KB + 1 byte', () => {
    expect(run(track({ properties: propertiesOf(51_200) })).fate).toBe('sent');
    expect(run(track({ properties: propertiesOf(51_201) }))).toMatchObject({
      fate: 'rejected', reason: "properties are 51201 bytes, over Braze's 51200-byte limit", field: 'properties', objects: [],
    });
  });

  it('still measures properties when the source line is long enough to hold 50 KB of them', () => {
    const msg = track({ properties: propertiesOf(51_201) });
    const sourceChars = JSON.stringify(msg).length;
    expect(mapMessage(msg, classic(), { trace: false, sourceChars })).toMatchObject({ fate: 'rejected', field: 'properties' });
  });

  it('skips measuring only below 50 KB / 16 source characters, where no properties can reach the cap', () => {
    expect(propertiesCanExceed(3_200)).toBe(false);
    expect(propertiesCanExceed(3_201)).toBe(true);
    expect(propertiesCanExceed(undefined)).toBe(true);
    // The worst growth on re-serialising: exponent numbers (9e20 prints as 21 digits).
    const numbers = Array.from({ length: 600 }, () => 9e20);
    const text = `{"n":[${numbers.map(() => '9e20').join(',')}]}`;
    expect(JSON.stringify(JSON.parse(text)).length).toBeLessThan(text.length * 16 / 3);
  });

  it('counts UTF-8 bytes for the 50 KB limit', () => {
    const props = { pad: Array.from({ length: 110 }, () => 'é'.repeat(250)) };
    expect(JSON.stringify(props).length).toBeLessThan(51_200);
    expect(propertiesBytes(props)).toBeGreaterThan(51_200);
    expect(run(track({ properties: props })).fate).toBe('rejected');
  });

  it('rejects a track with no event name', () => {
    expect(run(track({ event: '' }))).toEqual({ fate: 'rejected', reason: 'track without an event name', field: 'event', objects: [], trace: [] });
    expect(run(track({ event: undefined }))).toMatchObject({ fate: 'rejected', field: 'event' });
  });

  it('rejects a track with no usable time, naming the field', () => {
    expect(run(track({ timestamp: undefined }))).toMatchObject({ fate: 'rejected', field: 'timestamp' });
    expect(run(track({ timestamp: 'noon' }))).toMatchObject({ fate: 'rejected', reason: 'timestamp "noon" is not a valid time', field: 'timestamp' });
  });

  it('truncates an event name over 255 characters', () => {
    expect(event(run(track({ event: 'e'.repeat(256) })))['name']).toBe('e'.repeat(255));
  });

  it('traces userId, time, name and properties', () => {
    expect(run(track({ userId: 7, properties: { plan: 'pro' } })).trace).toEqual([
      { from: 'userId', to: 'events[0].external_id', action: 'mapped', value: '7' },
      { from: 'timestamp', to: 'events[0].time', action: 'mapped', value: TS },
      { from: 'event', to: 'events[0].name', action: 'mapped' },
      { from: 'properties.plan', to: 'events[0].properties.plan', action: 'mapped' },
    ]);
  });
});
