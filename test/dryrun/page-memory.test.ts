import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PageMemory } from '../../src/dryrun/page-memory.js';
import { ChangedAttributes } from '../../src/pipeline/decisions/changed-attributes.js';
import { bracketed } from '../../src/pipeline/decisions/listener.js';
import { Deduplicator } from '../../src/pipeline/decisions/deduplicator.js';
import { RecordPlanner, type Planned } from '../../src/pipeline/planning/plan-record.js';
import { DedupWindow } from '../../src/state/dedup/window.js';
import type { MappingSettings } from '../../src/transform/types.js';
import { tempDir } from '../support/cli.js';

/** Plans `n` records of one day each into the memory, the first at `day`. */
function plan(memory: PageMemory, day: number, n: number): void {
  for (let i = 0; i < n; i++) {
    memory.begin();
    memory.timed(Date.UTC(2025, 0, day + i) / 1000, true, 2);
  }
}

const records = (memory: PageMemory) => memory.series.data().buckets.reduce((a, b) => a + b.records, 0);

describe('PageMemory', () => {
  it('counts a record once it is committed, and comes back from the checkpoint it names', () => {
    const dir = tempDir();
    const one = new PageMemory(dir, undefined, true);
    plan(one, 1, 5);
    expect(records(one)).toBe(0);
    one.advance(3);
    expect(records(one)).toBe(3);
    one.commit(4);
    const two = new PageMemory(dir, 4, true);
    expect(two.whole).toBe(true);
    expect(records(two)).toBe(4);
    expect(two.mark()).toBe(4);
  });

  it("keeps the counts of the checkpoint saved before, for a crash between the page's file and the checkpoint", () => {
    const dir = tempDir();
    const one = new PageMemory(dir, undefined, true);
    plan(one, 1, 6);
    one.commit(2);
    one.commit(5);
    expect(existsSync(join(dir, 'page-data.prev.json'))).toBe(true);
    // The process died before the checkpoint naming mark 5 was saved: the one saved names mark 2.
    const resumed = new PageMemory(dir, 2, true);
    expect(resumed.whole).toBe(true);
    expect(records(resumed)).toBe(2);
  });

  it('says so when the counts the checkpoint names are not there', () => {
    const memory = new PageMemory(tempDir(), 7, true);
    expect(memory.whole).toBe(false);
    expect(memory.mark()).toBe(7);
  });
});

const mapping: MappingSettings = {
  preset: 'classic', pages: 'none', purchases: 'order-completed', time: 'timestamp', updateExistingOnly: false,
  appId: undefined, includeBrazeEvents: false, since: undefined, until: undefined,
};

describe("PageMemory's decisions", () => {
  it('counts what the deciders tell of a record (diff lines, fate, series, sample, data points) once the record is committed', () => {
    const memory = new PageMemory(tempDir(), undefined, true);
    const planner = new RecordPlanner(mapping, 'summary');
    const dedup = new Deduplicator(new DedupWindow(Infinity, { write: () => undefined, moved: () => undefined }), memory.decisions);
    const changed = new ChangedAttributes(undefined, memory.decisions);
    const decide = bracketed((p: Planned) => changed.check(dedup.check(p)), memory.decisions);
    const track = { type: 'track', userId: 'u1', messageId: 'm1', event: 'Signed Up', timestamp: '2025-01-02T03:04:05Z' };
    for (let line = 1; line <= 3; line++) {
      // Line 3 is line 2 again (a duplicate).
      decide(planner.plan({ kind: 'record', file: '/in/a.ndjson', line, end: 0, value: { ...track, messageId: `m${Math.min(line, 2)}` } }));
      memory.diff!.define(planner.keys!.drain());
    }
    const fields = () => memory.diff!.summary().rows.map((r) => `${r.def.from} ${r.count}`);
    const counted = () => ({ fields: fields(), records: records(memory), samples: memory.samples.list().map((s) => `${s.where} ${s.fate}`), events: memory.totals.topEvents() });
    expect(counted()).toEqual({ fields: [], records: 0, samples: [], events: [] });
    memory.advance(2);
    expect(counted()).toMatchObject({ records: 2, samples: ['a.ndjson:1 records.sent', 'a.ndjson:2 records.sent'], events: [{ name: 'Signed Up', dataPoints: 2 }] });
    expect(fields()).toEqual(['userId 2', 'timestamp 2', 'event 2']);
    memory.advance(3);
    expect(counted()).toMatchObject({ records: 3, samples: ['a.ndjson:1 records.sent', 'a.ndjson:2 records.sent'], events: [{ name: 'Signed Up', dataPoints: 2 }] });
    expect(fields()).toEqual(['userId 2', 'timestamp 2', 'event 2', 'skipped: duplicate 1']);
  });
});
