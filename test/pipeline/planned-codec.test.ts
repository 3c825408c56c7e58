import { describe, expect, it } from 'vitest';
import { decodeChunk, encodeChunk } from '../../src/pipeline/planned-codec.js';
import { SKIPPED, type Planned } from '../../src/pipeline/plan-record.js';
import { REPLAY_KEYS } from '../../src/pipeline/plan-replay.js';

const record = (line: number, fate: string, extra: Partial<Planned> = {}): Planned => ({
  file: 'a/b.ndjson', line, end: line * 100, fate, hash: undefined, items: [],
  attributes: 0, events: 0, purchases: 0, dataPoints: 0, rejectLine: undefined, traces: undefined, text: undefined, ...extra,
});

describe('planned chunks (worker -> main thread)', () => {
  it('give back every field of every fate the planner makes', () => {
    const planned: Planned[] = [
      record(1, REPLAY_KEYS.sent, {
        hash: [0xffffffff, 7], attributes: 1, events: 1, dataPoints: 4, traces: [3, 0, 9], text: 'full diff text\n',
        items: [{ array: 'attributes', json: '{"external_id":"u","é":"ü"}' }, { array: 'events', json: '{"name":"x"}' }],
      }),
      record(2, REPLAY_KEYS.rejected, { rejectLine: '{"reason":"bad"}', traces: [] }),
      ...Object.values(SKIPPED).map((fate, i) => record(3 + i, fate, { hash: [i, i + 1] })),
      record(20, REPLAY_KEYS.sent, { purchases: 2, items: [{ array: 'purchases', json: '{}' }, { array: 'purchases', json: '[1]' }] }),
    ];
    const chunk = encodeChunk(planned, []);
    expect(decodeChunk(chunk, 'a/b.ndjson')).toEqual(planned);
  });
});
