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
