import { describe, expect, it } from 'vitest';
import { mapMessage } from '../../src/transform/map-message.js';
import type { MapResult, MappingSettings, SegmentMessage } from '../../src/transform/types.js';

const classic = (over: Partial<MappingSettings> = {}): MappingSettings => ({
  preset: 'classic', pages: 'none', purchases: 'order-completed', time: 'timestamp', updateExistingOnly: false,
  appId: undefined, includeBrazeEvents: false, since: undefined, until: undefined, ...over,
});
const actions = (over: Partial<MappingSettings> = {}): MappingSettings => classic({ preset: 'actions', time: 'receivedAt', ...over });

const TS = '2025-03-02T10:15:00.000Z';
const MS = Date.parse(TS);
const track = (extra: Record<string, unknown> = {}): SegmentMessage => ({ type: 'track', userId: 'u1', event: 'Signed Up', timestamp: TS, ...extra });
const currents = (extra: Record<string, unknown> = {}): SegmentMessage => track({ event: 'Email Opened', properties: { dispatch_id: 'd1' }, ...extra });
const run = (msg: SegmentMessage, settings = classic()): MapResult => mapMessage(msg, settings, { trace: false });
const fate = (result: MapResult): string => (result.fate === 'skipped' ? `skipped:${result.reason}` : result.fate);

describe('anonymous', () => {
  it.each([[undefined], [null], [''], ['   ']])('skips userId %j as anonymous', (userId) => {
    expect(run(track({ userId, anonymousId: 'a1' }))).toEqual({ fate: 'skipped', reason: 'anonymous', detail: 'no userId', trace: [], anonymous: 'unlinked' });
  });

  it.each([[{ id: 1 }, 'an object'], [true, 'a boolean'], [['u'], 'an array']])('rejects userId %j', (userId, kind) => {
    expect(run(track({ userId }))).toEqual({ fate: 'rejected', reason: `userId is ${kind}, not a string`, field: 'userId', objects: [], trace: [] });
  });
});

describe('Braze-origin events', () => {
  it('skips a Currents event name with a Braze property', () => {
    expect(fate(run(currents()))).toBe('skipped:brazeOrigin');
  });

  it('keeps a Currents event name whose Braze properties are null or absent', () => {
    expect(fate(run(currents({ properties: { send_id: null } })))).toBe('sent');
    expect(fate(run(currents({ properties: { plan: 'x' } })))).toBe('sent');
  });

  it.each([['braze'], ['Appboy'], ['BRAZE-CURRENTS']])('skips any track stamped context.integration.name %s', (name) => {
    expect(fate(run(track({ context: { integration: { name } } })))).toBe('skipped:brazeOrigin');
  });

  it('does not treat other integration names or non-track types as Braze', () => {
    expect(fate(run(track({ context: { integration: { name: 'segment' } } })))).toBe('sent');
    expect(fate(run({ type: 'identify', userId: 'u1', traits: { a: 1 }, context: { integration: { name: 'braze' } } }))).toBe('sent');
  });

  it('replays them with --include-braze-events', () => {
    expect(fate(run(currents(), classic({ includeBrazeEvents: true })))).toBe('sent');
  });
});

describe('time window', () => {
  const window = classic({ since: MS, until: MS + 1000 });

  it('keeps since (inclusive) and filters until (exclusive)', () => {
    expect(fate(run(track(), window))).toBe('sent');
    expect(fate(run(track({ timestamp: MS - 1 }), window))).toBe('skipped:filtered');
    expect(fate(run(track({ timestamp: MS + 999 }), window))).toBe('sent');
    expect(fate(run(track({ timestamp: MS + 1000 }), window))).toBe('skipped:filtered');
  });

  it('uses the preset time field for the window', () => {
    const msg = track({ receivedAt: new Date(MS + 5000).toISOString() });
    expect(fate(run(msg, window))).toBe('sent');
    expect(fate(run(msg, actions({ since: MS, until: MS + 1000 })))).toBe('skipped:filtered');
  });

  it('filters identify and group with no usable time when a window is set', () => {
    const result = run({ type: 'identify', userId: 'u1', traits: { a: 1 } }, window);
    expect(result).toMatchObject({ fate: 'skipped', reason: 'filtered' });
    expect(result.fate === 'skipped' && result.detail).toContain('no usable time');
    expect(fate(run({ type: 'group', userId: 'u1', groupId: 'g' }, window))).toBe('skipped:filtered');
  });

  it('rejects a track with no usable time even with a window', () => {
    expect(fate(run(track({ timestamp: undefined }), window))).toBe('rejected');
  });
});

describe('not mapped', () => {
  it('skips alias and unknown types', () => {
    expect(run({ type: 'alias', userId: 'u1', previousId: 'a' })).toMatchObject({ fate: 'skipped', reason: 'notMapped', detail: 'alias calls are not mapped' });
    expect(run({ type: 'boom', userId: 'u1' })).toMatchObject({ fate: 'skipped', reason: 'notMapped', detail: 'unknown type "boom"' });
  });
});

describe('fate order', () => {
  it('anonymous wins over Braze origin', () => {
    expect(fate(run(currents({ userId: null })))).toBe('skipped:anonymous');
  });

  it('Braze origin wins over filtered', () => {
    expect(fate(run(currents({ timestamp: MS - 5000 }), classic({ since: MS })))).toBe('skipped:brazeOrigin');
  });

  it('filtered wins over notMapped', () => {
    expect(fate(run({ type: 'page', userId: 'u1', timestamp: MS - 5000 }, classic({ since: MS })))).toBe('skipped:filtered');
  });

  it('notMapped wins over a rejected userId', () => {
    expect(fate(run({ type: 'page', userId: { a: 1 }, timestamp: TS }))).toBe('skipped:notMapped');
    expect(fate(run({ type: 'identify', userId: true, traits: { id: 'x' } }))).toBe('skipped:notMapped');
  });

  it('a bad userId is rejected before the message is validated', () => {
    expect(run(track({ userId: true, event: '' }))).toMatchObject({ fate: 'rejected', field: 'userId' });
  });
});
