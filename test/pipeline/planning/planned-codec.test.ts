import { describe, expect, it } from 'vitest';
import { ChunkWriter, FIELDS, plannedRecords, type ChunkPart, type PlannedChunk } from '../../../src/pipeline/planning/planned-codec.js';
import type { Planned } from '../../../src/pipeline/planning/plan-record.js';
import { REPLAY_KEYS, SKIPPED, type ReplayFate } from '../../../src/pipeline/fates.js';

const record = (line: number, fate: ReplayFate, extra: Partial<Planned> = {}): Planned => ({
  file: 'a/b.ndjson', line, end: line * 100, fate, hash: undefined, time: 0, items: [],
  attributes: 0, events: 0, purchases: 0, dataPoints: 0, rejectLine: undefined, traceIds: undefined, traceStart: 0, traceEnd: 0, text: undefined, invalidUtf8: false, attributesUnchanged: 0, dataPointsSaved: 0, ...extra,
});

/** Writes Planned records into a chunk the way the planning worker does, through the ChunkWriter. */
function encodeChunk(planned: readonly Planned[]): PlannedChunk {
  const writer = new ChunkWriter(planned.length);
  for (const p of planned) write(writer, p);
  return writer.finish([]);
}

function write(writer: ChunkWriter, p: Planned): void {
  for (const it of p.items) writer.item(it.array, it.json!, it.points ?? 0, it.attrs);
  if (p.traceIds) for (let t = p.traceStart; t < p.traceEnd; t++) writer.trace(p.traceIds[t]!);
  const { items: _items, traceIds, traceStart: _start, traceEnd: _end, ...head } = p;
  writer.record({ ...head, traced: traceIds !== undefined });
}

// Decoded records share the chunk's array of trace ids: compare each record's own span.
const traces = (p: Planned) => (p.traceIds ? Array.from(p.traceIds).slice(p.traceStart, p.traceEnd) : undefined);
const plain = (p: Planned) => ({ ...p, traceIds: traces(p), traceStart: undefined, traceEnd: undefined });

describe('planned chunks (worker -> main thread)', () => {
  it('give back every field of every fate the planner makes', () => {
    const planned: Planned[] = [
      record(1, REPLAY_KEYS.sent, {
        hash: [0xffffffff, 7], time: 4_000_000_000, attributes: 1, events: 1, dataPoints: 4, traceIds: [3, 0, 9], traceEnd: 3, text: 'full diff text\n',
        items: [
          { array: 'attributes', json: '{"external_id":"u","é":"ü"}', points: 1, attrs: Uint32Array.of(5, 6, 16, 25, 1, 2, 3, 4, 1) },
          { array: 'events', json: '{"name":"x"}', points: 1 },
        ],
      }),
      record(2, REPLAY_KEYS.rejected, { rejectLine: '{"reason":"bad"}', traceIds: [], invalidUtf8: true }),
      record(3, REPLAY_KEYS.sent, { invalidUtf8: true }),
      ...Object.values(SKIPPED).map((fate, i) => record(3 + i, fate, { hash: [i, i + 1], time: 1_735_689_600 + i })),
      record(20, REPLAY_KEYS.sent, { purchases: 2, items: [{ array: 'purchases', json: '{}', points: 1 }, { array: 'purchases', json: '[1]', points: 2 }] }),
    ];
    const chunk = encodeChunk(planned);
    expect([...plannedRecords(chunk, 'a/b.ndjson')].map(plain)).toEqual(planned.map(plain));
  });

  it("give back each small file's records from its part of its group's one chunk", () => {
    const files = [
      [record(1, REPLAY_KEYS.sent, { items: [{ array: 'events', json: '{"a":1}', points: 1 }], traceIds: [4, 5], traceEnd: 2, text: 'a\n' })],
      [],
      [
        record(1, REPLAY_KEYS.rejected, { rejectLine: '{"r":1}', traceIds: [] }),
        record(2, REPLAY_KEYS.sent, { items: [{ array: 'attributes', json: '{"b":2}', points: 2, attrs: Uint32Array.of(1, 2) }], traceIds: [7], traceEnd: 1, text: 'b\n' }),
      ],
    ].map((records, f) => records.map((r) => ({ ...r, file: `${f}.gz` })));
    const writer = new ChunkWriter(3);
    const parts: ChunkPart[] = files.map((records) => {
      const from = writer.cursor;
      for (const p of records) write(writer, p);
      return { from, count: writer.cursor.record - from.record };
    });
    const chunk = writer.finish([]);
    files.forEach((records, f) => expect([...plannedRecords(chunk, `${f}.gz`, parts[f])].map(plain)).toEqual(records.map(plain)));
  });

  it('lays each field of a record at its own offset (no two fields share a slot)', () => {
    const offsets = Object.values(FIELDS).sort((a, b) => a - b);
    expect(offsets).toEqual(offsets.map((_, i) => i));
  });
});
