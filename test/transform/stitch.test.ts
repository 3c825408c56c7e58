import { describe, expect, it } from 'vitest';
import { mapMessage } from '../../src/transform/map-message.js';
import { archivePosition, indexEntryOf, NO_TIME, type IdentifiedTraits, type LinkAnswer, type Stitching } from '../../src/transform/stitch.js';
import type { MapResult, MappingSettings, SegmentMessage } from '../../src/transform/types.js';

const settings = (over: Partial<MappingSettings> = {}): MappingSettings => ({
  preset: 'classic', pages: 'all', purchases: 'order-completed', time: 'timestamp', updateExistingOnly: false,
  appId: undefined, includeBrazeEvents: false, since: undefined, until: undefined, ...over,
});

/** Lookups over plain maps (what the identity index answers). */
function lookups(links: Record<string, LinkAnswer>, users: Record<string, IdentifiedTraits> = {}): Stitching {
  return { userIdFor: (a) => links[a], identifiedTraits: (u) => users[u] };
}

const index = lookups({ a1: { userId: 'u1', source: 'b.ndjson:4' }, shared: 'ambiguous' });
const T = (minute: number) => `2025-03-02T10:${String(minute).padStart(2, '0')}:00.000Z`;
const map = (msg: SegmentMessage, stitch: Stitching | null = index, position = 0, over: Partial<MappingSettings> = {}): MapResult =>
  mapMessage(msg, settings(over), { trace: false, stitch: stitch ?? undefined, position });
const bodies = (r: MapResult) => (r.fate === 'skipped' ? [] : r.objects.map((o) => [o.kind, o.body]));

describe('stitching anonymous-only messages', () => {
  it('sends a track as the linked user, with its own time and properties', () => {
    const r = map({ type: 'track', anonymousId: 'a1', event: 'Viewed Product', timestamp: T(1), properties: { sku: 'x' } });
    expect(r.fate).toBe('sent');
    expect(r.fate !== 'skipped' && r.stitched).toEqual({ userId: 'u1', source: 'b.ndjson:4' });
    expect(bodies(r)).toEqual([['events', { external_id: 'u1', name: 'Viewed Product', time: T(1), properties: { sku: 'x' } }]]);
  });

  it('maps a page under --pages and an Order Completed into purchases like any message', () => {
    expect(bodies(map({ type: 'page', anonymousId: 'a1', name: 'Home', timestamp: T(2) }))).toEqual([
      ['events', { external_id: 'u1', name: 'Viewed Home Page', time: T(2), properties: { name: 'Home' } }],
    ]);
    expect(map({ type: 'page', anonymousId: 'a1', name: 'Home', timestamp: T(2) }, index, 0, { pages: 'none' })).toMatchObject({ fate: 'skipped', reason: 'notMapped' });
    const order = map({ type: 'track', anonymousId: 'a1', event: 'Order Completed', timestamp: T(3), properties: { products: [{ product_id: 'p', price: 3 }] } });
    expect(bodies(order)).toEqual([['purchases', { external_id: 'u1', product_id: 'p', currency: 'USD', price: 3, quantity: 1, time: T(3) }]]);
  });

  it('leaves an ambiguous, an unlinked and an ID-less message anonymous, each with its reason', () => {
    expect(map({ type: 'track', anonymousId: 'shared', event: 'E', timestamp: T(1) })).toMatchObject({ fate: 'skipped', reason: 'anonymous', anonymous: 'ambiguous' });
    expect(map({ type: 'track', anonymousId: 'nobody', event: 'E', timestamp: T(1) })).toMatchObject({ fate: 'skipped', reason: 'anonymous', anonymous: 'unlinked' });
    expect(map({ type: 'track', event: 'E', timestamp: T(1) })).toMatchObject({ fate: 'skipped', reason: 'anonymous', anonymous: 'noAnonymousId' });
  });

  it('without --stitch tells an anonymousId apart from none, and stitches nothing', () => {
    expect(map({ type: 'track', anonymousId: 'a1', event: 'E', timestamp: T(1) }, null)).toMatchObject({ fate: 'skipped', anonymous: 'unlinked' });
    expect(map({ type: 'track', event: 'E', timestamp: T(1) }, null)).toMatchObject({ fate: 'skipped', anonymous: 'noAnonymousId' });
  });

  it('never stitches a message that has a userId: its own user wins', () => {
    const r = map({ type: 'track', userId: 'u9', anonymousId: 'a1', event: 'E', timestamp: T(1) });
    expect(r.fate !== 'skipped' && r.stitched).toBeUndefined();
    expect(bodies(r)[0]![1]).toMatchObject({ external_id: 'u9' });
  });
});

describe('stitched identify traits never overwrite a newer identified value', () => {
  const identify = (minute: number): SegmentMessage => ({ type: 'identify', anonymousId: 'a1', traits: { plan: 'free' }, timestamp: T(minute) });
  // u1's identified identifies: the first at file 1 line 10, the latest at 10:30.
  const traits = lookups({ a1: { userId: 'u1', source: 'b.ndjson:4' } }, { u1: { first: archivePosition(1, 10), latest: Date.parse(T(30)) } });

  it('sends them when the user has no identified identify', () => {
    expect(bodies(map(identify(5)))).toEqual([['attributes', { external_id: 'u1', plan: 'free' }]]);
  });

  it('sends them when they come before the first identified identify in the archive (it is sent later and wins)', () => {
    expect(map(identify(5), traits, archivePosition(0, 99)).fate).toBe('sent');
    expect(map(identify(5), traits, archivePosition(1, 9)).fate).toBe('sent');
  });

  it('sends them after an identified identify only when they are not older than its latest', () => {
    expect(map(identify(30), traits, archivePosition(2, 1)).fate).toBe('sent');
    expect(map(identify(45), traits, archivePosition(2, 1)).fate).toBe('sent');
    expect(map(identify(29), traits, archivePosition(2, 1))).toMatchObject({ fate: 'skipped', reason: 'anonymous', anonymous: 'olderTraits' });
  });

  it('leaves out an identify with no usable time that comes after the first identified one', () => {
    const untimed: SegmentMessage = { type: 'identify', anonymousId: 'a1', traits: { plan: 'free' } };
    expect(map(untimed, traits, archivePosition(1, 11))).toMatchObject({ fate: 'skipped', anonymous: 'olderTraits' });
  });

  it('stitches tracks whatever the identified traits (they set no attribute)', () => {
    expect(map({ type: 'track', anonymousId: 'a1', event: 'E', timestamp: T(1) }, traits, archivePosition(3, 1)).fate).toBe('sent');
  });
});

describe('what a message gives the identity index', () => {
  it('links a message carrying both IDs, and an alias previousId -> userId', () => {
    expect(indexEntryOf({ type: 'track', userId: 'u1', anonymousId: 'a1' }, 'timestamp')).toEqual({ link: ['a1', 'u1'] });
    expect(indexEntryOf({ type: 'alias', userId: 'u2', previousId: 'a2', anonymousId: 'a9' }, 'timestamp')).toEqual({ link: ['a2', 'u2'] });
    expect(indexEntryOf({ type: 'track', userId: 7, anonymousId: 'a1' }, 'timestamp')).toEqual({ link: ['a1', '7'] });
  });

  it('gives nothing without a userId, or with a blank anonymousId', () => {
    expect(indexEntryOf({ type: 'track', anonymousId: 'a1' }, 'timestamp')).toBeUndefined();
    expect(indexEntryOf({ type: 'track', userId: 'u1', anonymousId: ' ' }, 'timestamp')).toBeUndefined();
    expect(indexEntryOf({ type: 'alias', userId: 'u1' }, 'timestamp')).toBeUndefined();
  });

  it('records an identified identify with its time, or NO_TIME', () => {
    expect(indexEntryOf({ type: 'identify', userId: 'u1', timestamp: T(3) }, 'timestamp')).toEqual({ identified: ['u1', Date.parse(T(3))] });
    expect(indexEntryOf({ type: 'identify', userId: 'u1', anonymousId: 'a1' }, 'timestamp')).toEqual({ link: ['a1', 'u1'], identified: ['u1', NO_TIME] });
  });
});
