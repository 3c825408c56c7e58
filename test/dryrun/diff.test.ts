import { describe, expect, it } from 'vitest';
import { DiffCollector } from '../../src/dryrun/diff.js';
import { recordText } from '../../src/dryrun/record-text.js';
import { OVERFLOW, TraceKeys, transientId, translateTraces } from '../../src/dryrun/trace-keys.js';
import type { FieldTrace } from '../../src/transform/types.js';

/** Maps traces to ids, hands the new definitions to the collector and counts them for one record. */
function observe(keys: TraceKeys, diff: DiffCollector, where: string, ids: number[]): void {
  diff.define(keys.drain());
  diff.count(ids, where);
}

describe('TraceKeys', () => {
  it('defines a field path with its array indexes folded, and the collector counts such paths on one row', () => {
    const keys = new TraceKeys();
    const a = keys.field({ from: 'properties.products[0].price', to: 'purchases[0].price', action: 'mapped' });
    const again = keys.field({ from: 'properties.products[0].price', to: 'purchases[0].price', action: 'mapped' });
    const b = keys.field({ from: 'properties.products[7].price', to: 'purchases[12].price', action: 'mapped' });
    expect(again).toBe(a);
    const defs = keys.drain();
    expect(defs.map((d) => d.id)).toEqual([a, b]);
    for (const def of defs) expect(def).toMatchObject({ from: 'properties.products[].price', to: 'purchases[].price', reason: '' });
    expect(keys.drain()).toEqual([]);
    const diff = new DiffCollector();
    diff.define(defs);
    diff.count([a, b, again], 'a.ndjson:1');
    expect(diff.summary().rows).toHaveLength(1);
    expect(diff.summary().rows[0]!.count).toBe(3);
  });

  it('folds group IDs in attribute names', () => {
    const keys = new TraceKeys();
    const a = keys.field({ from: 'groupId', to: 'attributes.ab_segment_group_g-1', action: 'mapped' });
    const b = keys.field({ from: 'groupId', to: 'attributes.ab_segment_group_other', action: 'mapped' });
    expect(b).toBe(a);
    expect(keys.drain()[0]!.to).toBe('attributes.ab_segment_group_<groupId>');
  });

  it('keeps mapped, changed and dropped of one field apart, and different reasons apart', () => {
    const keys = new TraceKeys();
    const traces: FieldTrace[] = [
      { from: 'traits.age', to: 'attributes.age', action: 'mapped' },
      { from: 'traits.age', to: 'attributes.age', action: 'changed', reason: 'string to number', value: 3 },
      { from: 'traits.age', action: 'dropped', reason: 'too long' },
      { from: 'traits.age', action: 'dropped', reason: 'not allowed' },
    ];
    expect(new Set(traces.map((t) => keys.field(t))).size).toBe(4);
  });

  it('numbers fates by fate and reason, folding the reason it defines', () => {
    const keys = new TraceKeys();
    const a = keys.fate('rejected', 'products[0]: price missing');
    const again = keys.fate('rejected', 'products[0]: price missing');
    const c = keys.fate('skipped: anonymous', 'products[0]: price missing');
    expect(again).toBe(a);
    expect(c).not.toBe(a);
    expect(keys.drain()).toEqual([
      { id: a, action: 'fate', from: 'rejected', to: '', reason: 'products[]: price missing' },
      { id: c, action: 'fate', from: 'skipped: anonymous', to: '', reason: 'products[]: price missing' },
    ]);
  });

  it('hands out base + n * stride so that workers never share an id', () => {
    const first = new TraceKeys(0, 2);
    const second = new TraceKeys(1, 2);
    const ids = [first.fate('x', '1'), first.fate('x', '2'), second.fate('x', '1'), second.fate('x', '2')];
    expect(ids).toEqual([0, 2, 1, 3]);
  });

  it('remembers 5000 lines; a line met past them gets a transient id and is defined again each time', () => {
    const keys = new TraceKeys();
    const ids = Array.from({ length: 5_002 }, (_, i) => keys.fate('rejected', `reason ${i}`));
    expect(ids[4_999]).toBe(4_999);
    expect(ids.slice(5_000)).toEqual([transientId(0), transientId(1)]);
    expect(keys.fate('rejected', 'reason 5000')).toBe(transientId(2));
    const defs = keys.drain();
    expect(defs).toHaveLength(5_003);
    expect(defs.slice(5_000)).toEqual([
      { id: transientId(0), action: 'fate', from: 'rejected', to: '', reason: 'reason 5000' },
      { id: transientId(1), action: 'fate', from: 'rejected', to: '', reason: 'reason 5001' },
      { id: transientId(2), action: 'fate', from: 'rejected', to: '', reason: 'reason 5000' },
    ]);
    // Numbered from 0 again in the next chunk; lines defined before the table was full keep their id.
    expect(keys.fate('rejected', 'reason 5001')).toBe(transientId(0));
    expect(keys.fate('rejected', 'reason 0')).toBe(0);
  });
});

describe('DiffCollector', () => {
  /**
   * 12,000 distinct lines, line i first met by record i, in chunks of 100 records planned by two
   * workers as `schedule` says (a worker's table holds 5,000): the summary the run thread makes.
   */
  function planned(schedule: (chunk: number) => 0 | 1) {
    const workers = [new TraceKeys(0, 2), new TraceKeys(1, 2)];
    const diff = new DiffCollector();
    for (let chunk = 0; chunk < 120; chunk++) {
      const keys = workers[schedule(chunk)]!;
      // Record i: its own line i, line 0 (every record has it) and line i / 4 again (met earlier,
      // maybe by the other worker, whose table may be full by then).
      const ids = Array.from({ length: 100 }, (_, r) => {
        const i = chunk * 100 + r;
        return [`line ${i}`, 'line 0', `line ${Math.floor(i / 4)}`].map((line) => keys.fate('rejected', line));
      }).flat();
      const transient = diff.define(keys.drain());
      const traces = Int32Array.from(ids);
      if (transient) translateTraces(traces, transient);
      for (let r = 0; r < 100; r++) diff.countSpan(traces, 3 * r, 3 * r + 3, `a.ndjson:${chunk * 100 + r + 1}`);
    }
    // A line's id is the number of whichever worker defined it first: what is shown is the rest.
    const { rows, overflow } = diff.summary();
    return { rows: rows.map(({ def: { id: _id, ...def }, ...row }) => ({ ...row, def })), overflow };
  }

  it('tabulates the first 5000 lines of the input and counts the rest as rarer fields, whichever worker planned what', () => {
    const alternating = planned((chunk) => (chunk % 2 === 0 ? 0 : 1));
    const halves = planned((chunk) => (chunk < 60 ? 0 : 1));
    const one = planned(() => 0);
    expect(halves).toEqual(alternating);
    expect(one).toEqual(alternating);
    const reasons = alternating.rows.map((row) => row.def.reason);
    expect(reasons).toHaveLength(5_000);
    expect(new Set(reasons)).toEqual(new Set(Array.from({ length: 5_000 }, (_, i) => `line ${i}`)));
    const count = (line: number) => alternating.rows.find((row) => row.def.reason === `line ${line}`)?.count;
    expect([count(0), count(1), count(2_999), count(3_000), count(4_999)]).toEqual([12_005, 5, 5, 1, 1]);
    // Lines 5000-11999 once each as their record's own, and lines 5000-11999 never again as i / 4.
    expect(alternating.overflow).toBe(7_000);
  });

  it('counts every record, keeps 3 samples and sorts lines by count', () => {
    const keys = new TraceKeys();
    const diff = new DiffCollector();
    const event = keys.field({ from: 'event', to: 'events.name', action: 'mapped' });
    const user = keys.field({ from: 'userId', to: 'external_id', action: 'mapped' });
    observe(keys, diff, 'a.ndjson:1', [user]);
    for (let line = 2; line <= 6; line++) observe(keys, diff, `a.ndjson:${line}`, [event]);
    const { rows, overflow } = diff.summary();
    expect(rows.map((r) => [r.def.from, r.count, r.samples])).toEqual([
      ['event', 5, ['a.ndjson:2', 'a.ndjson:3', 'a.ndjson:4']],
      ['userId', 1, ['a.ndjson:1']],
    ]);
    expect(overflow).toBe(0);
  });

  it('shows lines of equal count in the order the input first had them, not the order they were defined', () => {
    const keys = new TraceKeys();
    const diff = new DiffCollector();
    // Defined first (as a worker that ran ahead would), met last.
    const late = keys.field({ from: 'properties.late', to: 'events.properties.late', action: 'mapped' });
    const early = keys.field({ from: 'properties.early', to: 'events.properties.early', action: 'mapped' });
    const dup = () => diff.duplicate('a.ndjson', 3);
    observe(keys, diff, 'a.ndjson:1', [early]);
    dup();
    observe(keys, diff, 'a.ndjson:4', [late]);
    expect(diff.summary().rows.map((r) => r.def.from)).toEqual(['properties.early', 'skipped: duplicate', 'properties.late']);
  });

  it('counts a field that occurs twice in one record twice', () => {
    const keys = new TraceKeys();
    const diff = new DiffCollector();
    const price = keys.field({ from: 'properties.products[0].price', to: 'purchases[0].price', action: 'mapped' });
    observe(keys, diff, 'a.ndjson:1', [price, price]);
    expect(diff.summary().rows).toMatchObject([{ count: 2, samples: ['a.ndjson:1', 'a.ndjson:1'] }]);
  });

  it('leaves out lines defined but never counted', () => {
    const keys = new TraceKeys();
    const diff = new DiffCollector();
    keys.fate('rejected', 'never seen');
    diff.define(keys.drain());
    expect(diff.summary().rows).toEqual([]);
  });

  it('tallies duplicates as a fate of their own', () => {
    const keys = new TraceKeys();
    const diff = new DiffCollector();
    const anonymous = keys.fate('skipped: anonymous', 'no userId');
    observe(keys, diff, 'a.ndjson:1', [anonymous]);
    diff.duplicate('a.ndjson:2');
    diff.duplicate('a.ndjson:3');
    const rows = diff.summary().rows;
    expect(rows.map((r) => [r.def.action, r.def.from, r.def.reason, r.count])).toEqual([
      ['fate', 'skipped: duplicate', 'messageId seen earlier in the run', 2],
      ['fate', 'skipped: anonymous', 'no userId', 1],
    ]);
  });

  it('counts overflow ids and unknown ids as overflow', () => {
    const diff = new DiffCollector();
    diff.count([OVERFLOW, OVERFLOW, 42], 'a.ndjson:1');
    expect(diff.summary()).toEqual({ rows: [], overflow: 3 });
  });

  it('merges lines defined by two workers', () => {
    const diff = new DiffCollector();
    const first = new TraceKeys(0, 2);
    const second = new TraceKeys(1, 2);
    const a = first.fate('rejected', 'x');
    const b = second.fate('rejected', 'y');
    diff.define(first.drain());
    diff.define(second.drain());
    diff.count([a, b, b], 'a.ndjson:1');
    expect(diff.summary().rows.map((r) => [r.def.reason, r.count])).toEqual([
      ['y', 2],
      ['x', 1],
    ]);
  });
});

describe('recordText (--diff full)', () => {
  const msg = { type: 'track', event: 'Order Completed', userId: 'u1' };

  it('prints a sent record with each field and the Braze objects', () => {
    const text = recordText('/data/a.ndjson:7', msg, {
      fate: 'sent',
      trace: [
        { from: 'event', to: 'events.name', action: 'mapped' },
        { from: 'properties.total', to: 'events.properties.total', action: 'changed', reason: 'string to number', value: 12 },
        { from: 'context.ip', action: 'dropped', reason: 'not mapped' },
      ],
      objects: [{ kind: 'events', body: { name: 'Order Completed' } }],
    });
    expect(text).toBe(
      [
        '/data/a.ndjson:7  track "Order Completed" user "u1" -> sent',
        '    event -> events.name',
        '    properties.total -> events.properties.total  changed to 12: string to number',
        '    context.ip  dropped: not mapped',
        '    => events: {"name":"Order Completed"}',
        '',
      ].join('\n'),
    );
  });

  it('prints the reason of a rejected record and its remaining objects', () => {
    const text = recordText('a.ndjson:8', { type: 'identify' }, {
      fate: 'rejected',
      reason: 'bad email',
      trace: [],
      objects: [{ kind: 'attributes', body: { external_id: 'u' } }],
    });
    expect(text).toBe('a.ndjson:8  identify -> rejected: bad email\n    => attributes: {"external_id":"u"}\n');
  });

  it('prints the reason of a skipped record and no objects', () => {
    const text = recordText('a.ndjson:9', { type: 'page' }, { fate: 'skipped', reason: 'notMapped', detail: 'pages are off', trace: [] });
    expect(text).toBe('a.ndjson:9  page -> skipped (notMapped): pages are off\n');
  });
});
