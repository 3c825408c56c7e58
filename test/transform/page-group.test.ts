import { describe, expect, it } from 'vitest';
import { mapMessage } from '../../src/transform/map-message.js';
import type { MapResult, MappingSettings, SegmentMessage } from '../../src/transform/types.js';

const classic = (over: Partial<MappingSettings> = {}): MappingSettings => ({
  preset: 'classic', pages: 'none', purchases: 'order-completed', time: 'timestamp', updateExistingOnly: false,
  appId: undefined, includeBrazeEvents: false, since: undefined, until: undefined, ...over,
});
const actions = (over: Partial<MappingSettings> = {}): MappingSettings => classic({ preset: 'actions', time: 'receivedAt', ...over });

const TS = '2025-03-02T10:15:00.000Z';
const call = (type: string, extra: Record<string, unknown> = {}): SegmentMessage => ({ type, userId: 'u1', timestamp: TS, receivedAt: TS, ...extra });
const run = (msg: SegmentMessage, settings = classic()): MapResult => mapMessage(msg, settings, { trace: true });
const bodies = (result: MapResult) => (result.fate === 'skipped' ? [] : result.objects.map((o) => ({ kind: o.kind, ...o.body })));
const ev = (name: string, properties?: Record<string, unknown>) => ({ kind: 'events', external_id: 'u1', name, time: TS, ...(properties && { properties }) });

describe('page and screen', () => {
  it('skips pages with --pages none', () => {
    expect(run(call('page', { name: 'Home' }))).toEqual({ fate: 'skipped', reason: 'notMapped', detail: 'page calls are not mapped with --pages none', trace: [] });
  });

  it('names a page with category and name', () => {
    expect(bodies(run(call('page', { name: 'Pricing', category: 'Docs', properties: { path: '/p' } }), classic({ pages: 'named' })))).toEqual([
      ev('Viewed Docs Pricing Page', { path: '/p', name: 'Pricing', category: 'Docs' }),
    ]);
  });

  it('names a page without category', () => {
    expect(bodies(run(call('page', { name: 'Home' }), classic({ pages: 'named' })))).toEqual([ev('Viewed Home Page', { name: 'Home' })]);
  });

  it('reads the name from properties when there is no top-level name', () => {
    expect(bodies(run(call('page', { properties: { name: 'Home' } }), classic({ pages: 'named' })))).toEqual([ev('Viewed Home Page', { name: 'Home' })]);
  });

  it('skips an unnamed page with --pages named', () => {
    expect(run(call('page'), classic({ pages: 'named' }))).toMatchObject({ fate: 'skipped', reason: 'notMapped', detail: 'unnamed page with --pages named' });
  });

  it('sends an unnamed page as Loaded a Page with --pages all', () => {
    expect(bodies(run(call('page', { properties: { path: '/' } }), classic({ pages: 'all' })))).toEqual([ev('Loaded a Page', { path: '/' })]);
  });

  it('names screens Viewed <name> Screen and Loaded a Screen', () => {
    expect(bodies(run(call('screen', { name: 'Cart' }), classic({ pages: 'named' })))).toEqual([ev('Viewed Cart Screen', { name: 'Cart' })]);
    expect(bodies(run(call('screen'), classic({ pages: 'all' })))).toEqual([ev('Loaded a Screen')]);
  });

  it('never maps page or screen in the actions preset', () => {
    expect(run(call('page', { name: 'Home' }), actions({ pages: 'all' }))).toMatchObject({ fate: 'skipped', reason: 'notMapped' });
    expect(run(call('screen', { name: 'Home' }), actions({ pages: 'all' }))).toMatchObject({ fate: 'skipped', reason: 'notMapped' });
  });

  it('rejects a mapped page with no usable time', () => {
    expect(run({ type: 'page', userId: 'u1', name: 'Home' }, classic({ pages: 'named' }))).toMatchObject({ fate: 'rejected', field: 'timestamp' });
  });

  it('skips an unmapped page with no time as notMapped, not rejected', () => {
    expect(run({ type: 'page', userId: 'u1' })).toMatchObject({ fate: 'skipped', reason: 'notMapped' });
  });
});

describe('group', () => {
  it('sets ab_segment_group_<groupId> and reports the traits as not sent', () => {
    const result = run(call('group', { groupId: 'acme', traits: { plan: 'pro' } }));
    expect(bodies(result)).toEqual([{ kind: 'attributes', external_id: 'u1', ab_segment_group_acme: true }]);
    expect(result.trace).toContainEqual({ from: 'traits', action: 'dropped', reason: 'group traits are not sent' });
  });

  it('converts a numeric groupId', () => {
    expect(bodies(run(call('group', { groupId: 7 })))).toEqual([{ kind: 'attributes', external_id: 'u1', ab_segment_group_7: true }]);
  });

  it('needs no time without a window', () => {
    expect(bodies(run({ type: 'group', userId: 'u1', groupId: 'g' }, classic({ updateExistingOnly: true })))).toEqual([
      { kind: 'attributes', external_id: 'u1', ab_segment_group_g: true, _update_existing_only: true },
    ]);
  });

  it('rejects a group without groupId', () => {
    expect(run(call('group'))).toEqual({ fate: 'rejected', reason: 'group without groupId', field: 'groupId', objects: [], trace: [] });
  });

  it('is not mapped by the actions preset', () => {
    expect(run(call('group', { groupId: 'g' }), actions())).toMatchObject({ fate: 'skipped', reason: 'notMapped' });
  });
});
