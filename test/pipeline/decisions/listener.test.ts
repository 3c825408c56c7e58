import { describe, expect, it } from 'vitest';
import { DiffCollector } from '../../../src/dryrun/diff.js';
import { FullDiff } from '../../../src/dryrun/full-diff.js';
import { ChangedAttributes } from '../../../src/pipeline/decisions/changed-attributes.js';
import { bracketed, together, type DecisionListener } from '../../../src/pipeline/decisions/listener.js';
import { Deduplicator } from '../../../src/pipeline/decisions/deduplicator.js';
import { RecordPlanner, type Planned } from '../../../src/pipeline/planning/plan-record.js';
import type { Unit } from '../../../src/pipeline/unit.js';
import { AttributeMemory } from '../../../src/state/attribute-memory.js';
import { DedupWindow, type WindowSink } from '../../../src/state/dedup/window.js';
import type { MappingSettings } from '../../../src/transform/types.js';

const mapping: MappingSettings = {
  preset: 'classic', pages: 'none', purchases: 'order-completed', time: 'timestamp', updateExistingOnly: false,
  appId: undefined, includeBrazeEvents: false, since: undefined, until: undefined,
};
/** The window's journal is not what these tests are about. */
const noJournal: WindowSink = { write: () => undefined, moved: () => undefined };
const TS = '2025-03-02T10:15:00Z';

const identify = (id: string, traits: Record<string, unknown>) => ({ type: 'identify', userId: 'u1', messageId: id, timestamp: TS, traits });
/** Line 1 sets two attributes, line 2 changes one, line 3 changes none, line 4 is line 2 again (a duplicate). */
const messages = [identify('m1', { email: 'a@x.com', plan: 'free' }), identify('m2', { email: 'a@x.com', plan: 'pro' }), identify('m3', { plan: 'pro', email: 'a@x.com' }), identify('m2', { email: 'a@x.com', plan: 'pro' })];

/** Plans `values` as lines of a.ndjson and hands them to the run thread's deciders, which tell `listener`. */
function decideAll(values: readonly unknown[], listener: DecisionListener, diff?: DiffCollector, invalidUtf8: readonly number[] = []): Unit[] {
  const planner = new RecordPlanner(mapping, 'full');
  const dedup = new Deduplicator(new DedupWindow(Infinity, noJournal), listener);
  const changed = new ChangedAttributes(new AttributeMemory({ bytes: 4096 }), listener);
  const decide = bracketed((p: Planned) => changed.check(dedup.check(p)), listener);
  return values.map((value, i) => {
    const p = planner.plan({ kind: 'record', file: 'a.ndjson', line: i + 1, end: 0, value, invalidUtf8: invalidUtf8.includes(i + 1) });
    diff?.define(planner.keys!.drain());
    return decide(p);
  });
}

describe('the run thread tells its decisions to listeners', () => {
  it('prints --diff full in input order: a record\'s own text, what --attributes changed left out of it, whether anything was left, a duplicate in one line', () => {
    let text = '';
    decideAll(messages, new FullDiff((t) => (text += t)));
    const head = (line: number, plan: string) => [
      `a.ndjson:${line}  identify user "u1" -> sent`,
      '    userId -> attributes.external_id',
      '    traits.email -> attributes.email',
      '    traits.plan -> attributes.plan',
      `    => attributes: {"external_id":"u1","email":"a@x.com","plan":"${plan}"}`,
    ];
    expect(text).toBe(
      [
        ...head(1, 'free'),
        ...head(2, 'pro'),
        '    left out, the value last sent to the user (--attributes changed): attributes.email',
        '    => attributes as sent: {"external_id":"u1","plan":"pro"}',
        ...head(3, 'pro'),
        '    left out, the value last sent to the user (--attributes changed): attributes.email, attributes.plan',
        '    => attributes: not sent (nothing changed)',
        '    -> skipped (unchanged): nothing left to send',
        'a.ndjson:4  skipped (duplicate): messageId seen earlier in the run',
        '',
      ].join('\n'),
    );
  });

  it("counts a kept record's diff lines and a duplicate's fate only, and a record left with nothing as unchanged", () => {
    const diff = new DiffCollector();
    const units = decideAll(messages, diff, diff);
    expect(units.map((u) => u.fate)).toEqual(['records.sent', 'records.sent', 'records.skipped.unchanged', 'records.skipped.duplicate']);
    const rows = diff.summary().rows.map((r) => `${r.def.from} ${r.count} ${r.samples.join(' ')}`);
    expect(rows).toEqual([
      'userId 3 a.ndjson:1 a.ndjson:2 a.ndjson:3',
      'traits.email 3 a.ndjson:1 a.ndjson:2 a.ndjson:3',
      'traits.plan 3 a.ndjson:1 a.ndjson:2 a.ndjson:3',
      'skipped: unchanged 1 a.ndjson:3',
      'skipped: duplicate 1 a.ndjson:4',
    ]);
  });

  it('brackets each record (begin, its decisions in order, decided) and tells invalid UTF-8 of every record that held it, a duplicate too', () => {
    const heard: string[] = [];
    const listener: DecisionListener = {
      begin: () => heard.push('begin'),
      invalidUtf8: (file, line) => heard.push(`invalidUtf8 ${file}:${line}`),
      duplicate: (_file, line) => heard.push(`duplicate ${line}`),
      kept: (record) => heard.push(`kept ${record.line}`),
      object: (_file, line, planned, keep, sent) => heard.push(`object ${line} ${keep ? Array.from(keep.subarray(0, 2)).join('') : 'all'} ${sent === planned ? 'as planned' : 'changed'}`),
      unchanged: (_file, line) => heard.push(`unchanged ${line}`),
      decided: (record, unit) => heard.push(`decided ${record.line} ${unit.fate}`),
    };
    decideAll(messages, listener, undefined, [2, 4]);
    expect(heard).toEqual([
      'begin', 'kept 1', 'object 1 all as planned', 'decided 1 records.sent',
      'begin', 'invalidUtf8 a.ndjson:2', 'kept 2', 'object 2 01 changed', 'decided 2 records.sent',
      'begin', 'kept 3', 'object 3 00 changed', 'unchanged 3', 'decided 3 records.skipped.unchanged',
      'begin', 'invalidUtf8 a.ndjson:4', 'duplicate 4', 'decided 4 records.skipped.duplicate',
    ]);
  });
});

describe('together', () => {
  it('tells each listener, in the order given, the decisions it has a hook for', () => {
    const heard: string[] = [];
    const first: DecisionListener = { duplicate: (file, line) => heard.push(`first ${file}:${line}`), begin: () => heard.push('first begin') };
    const second: DecisionListener = { duplicate: (file, line) => heard.push(`second ${file}:${line}`), unchanged: () => heard.push('second unchanged') };
    const both = together(first, undefined, second);
    both.begin!();
    both.duplicate!('a', 1);
    both.unchanged!('a', 2);
    expect(heard).toEqual(['first begin', 'first a:1', 'second a:1', 'second unchanged']);
  });

  it("costs a live run nothing: with the UTF-8 warning alone, no other decision has a hook and records are not bracketed", () => {
    const warning: DecisionListener = { invalidUtf8: () => undefined };
    const listener = together(undefined, undefined, warning);
    expect(listener).toBe(warning);
    const decide = (p: Planned): Unit => p;
    expect(bracketed(decide, listener)).toBe(decide);
    const none = together(undefined, { kept: () => undefined }, {});
    for (const hook of ['begin', 'invalidUtf8', 'duplicate', 'object', 'unchanged', 'decided'] as const) expect(none[hook], hook).toBeUndefined();
    expect(bracketed(decide, none)).toBe(decide);
  });
});
