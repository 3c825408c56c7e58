import { describe, expect, it } from 'vitest';
import { RecordPlanner } from '../../../src/pipeline/planning/plan-record.js';
import type { MappingSettings } from '../../../src/transform/types.js';

const mapping: MappingSettings = {
  preset: 'classic', pages: 'none', purchases: 'order-completed', time: 'timestamp', updateExistingOnly: false,
  appId: undefined, includeBrazeEvents: false, since: Date.UTC(2025, 0, 1), until: undefined,
};

const at = '2025-03-01T00:00:00Z';

describe('RecordPlanner diff lines', () => {
  it('names the line of a skipped record after its skip reason', () => {
    const planner = new RecordPlanner(mapping, 'summary');
    const messages = [
      { type: 'track', anonymousId: 'a1', event: 'Signed Up', timestamp: at },
      { type: 'alias', userId: 'u1', previousId: 'a1', timestamp: at },
      { type: 'track', userId: 'u1', event: 'Email Opened', timestamp: at, context: { integration: { name: 'braze' } } },
      { type: 'track', userId: 'u1', event: 'Signed Up', timestamp: '2024-06-01T00:00:00Z' },
    ];
    messages.forEach((value, i) => planner.plan({ kind: 'record', file: 'a.ndjson', line: i + 1, end: 0, value }));
    expect(planner.keys!.drain().map((d) => [d.action, d.from])).toEqual([
      ['fate', 'skipped: anonymous'],
      ['fate', 'skipped: notMapped'],
      ['fate', 'skipped: brazeOrigin'],
      ['fate', 'skipped: filtered'],
    ]);
  });
});

describe('RecordPlanner attributes objects', () => {
  const messages = [
    { type: 'identify', userId: 'u1', timestamp: at, traits: { email: 'a@example.com', firstName: 'Ada', plan: 'pro', address: { city: 'Paris', country: 'FR' }, tags: ['x', 'y'], '7': 'seven', empty: null } },
    { type: 'identify', userId: 'u2', timestamp: at, traits: { name: 'Grace Hopper', birthday: '1906-12-09', score: 3.5, nested: { b: { c: 1 }, a: [1, { z: 2, y: 3 }] } } },
    { type: 'group', userId: 'u3', groupId: 'g1', timestamp: at, traits: { name: 'Acme', employees: 12 } },
    { type: 'track', userId: 'u4', event: 'Signed Up', timestamp: at, properties: { plan: 'pro' } },
  ];
  const planAll = (pieces: boolean) => {
    const planner = new RecordPlanner(mapping, 'none', undefined, undefined, undefined, pieces);
    return messages.map((value, i) => planner.plan({ kind: 'record', file: 'a.ndjson', line: i + 1, end: 0, value }));
  };

  it('serialises an object whole, without its pieces, when nothing reads them (--attributes all in a live run)', () => {
    const withPieces = planAll(true);
    const whole = planAll(false);
    const attributes = withPieces.flatMap((p) => p.items).filter((item) => item.array === 'attributes');
    expect(attributes.length).toBe(3);
    expect(attributes.every((item) => item.attrs !== undefined)).toBe(true);
    // The same text and data points, object by object; only the pieces are left out.
    expect(whole.map((p) => p.items.map(({ array, json, points }) => ({ array, json, points })))).toEqual(withPieces.map((p) => p.items.map(({ array, json, points }) => ({ array, json, points }))));
    expect(whole.flatMap((p) => p.items).some((item) => item.attrs !== undefined)).toBe(false);
    expect(whole.map((p) => p.dataPoints)).toEqual(withPieces.map((p) => p.dataPoints));
  });
});
