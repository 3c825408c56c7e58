import { describe, expect, it } from 'vitest';
import type { DiffRow, DiffSummary } from '../../src/dryrun/diff.js';
import { renderSummary, renderTotals } from '../../src/dryrun/render.js';
import type { TraceDef } from '../../src/dryrun/trace-keys.js';
import { buildReport, type ReportContext } from '../../src/state/report.js';

const context: ReportContext = {
  command: 'replay',
  dryRun: true,
  complete: true,
  interrupted: false,
  state: '/work/.segment-braze/replay-dry-abc',
  endpoint: undefined,
  inputs: ['a.ndjson'],
  rate: 500,
  startedAt: '2025-03-01T10:00:00.000Z',
  updatedAt: '2025-03-01T10:00:01.000Z',
  warnings: [],
};

const counts = {
  'records.read': 10,
  'records.sent': 5,
  'records.rejected': 1,
  'records.skipped.anonymous': 3,
  'records.skipped.filtered': 1,
  'objects.events': 6,
  'objects.attributes': 2,
  'objects.purchases': 1,
  dataPoints: 12,
  'requests.sent': 32_500,
};

describe('renderTotals', () => {
  it('prints the accounting identity, objects, data points, requests and state', () => {
    const text = renderTotals(buildReport(counts, context), 500);
    expect(text).toContain('replay --dry-run: complete\n');
    expect(text).toContain(
      '  records    read 10 = would be sent 5 + rejected 1 + skipped 4 (anonymous 3, duplicate 0, brazeOrigin 0, notMapped 0, filtered 1, unchanged 0)\n',
    );
    expect(text).toContain('  objects    attributes 2, events 6, purchases 1\n');
    expect(text).toContain('  data points 12 (billable in Braze)\n');
    expect(text).toContain('  requests   would send 32500, retried 0, in doubt 0\n');
    expect(text).toContain(`  state      ${context.state}\n`);
  });

  it('shows what --attributes changed saved and where the data points go', () => {
    const saving = { ...counts, 'objects.attributesUnchanged': 7, dataPointsSaved: 9, 'records.skipped.unchanged': 2 };
    const insights = { topEvents: [{ name: 'Order Completed', dataPoints: 8 }], topPurchases: [{ name: 'sku-1', dataPoints: 2 }], topAttributes: [{ name: 'plan', dataPoints: 3 }, { name: 'email', dataPoints: 1 }] };
    const text = renderTotals(buildReport(saving, { ...context, insights }), 500);
    expect(text).toContain('filtered 1, unchanged 2)\n');
    expect(text).toContain('  objects    attributes 2, events 6, purchases 1; attribute values unchanged, not sent 7\n');
    expect(text).toContain('  data points 12 (billable in Braze); --attributes changed saved 9 (all would spend 21)\n');
    expect(text).toContain('top events by data points      Order Completed 8\n');
    expect(text).toContain('top products by data points    sku-1 2\n');
    expect(text).toContain('top attributes by data points  plan 3, email 1\n');
  });

  it('estimates the duration of a real run at --rate', () => {
    const at = (sent: number, rate: number) => renderTotals(buildReport({ 'requests.sent': sent }, { ...context, rate }), rate);
    expect(at(32_500, 500)).toContain('a real run at --rate 500 requests/s would take about 1m 5s');
    expect(at(0, 500)).toContain('would take about 0s');
    expect(at(59, 1)).toContain('would take about 59s');
    expect(at(60, 1)).toContain('would take about 1m 0s');
    expect(at(3_661, 1)).toContain('--rate 1 requests/s would take about 1h 1m 1s');
  });

  it('prints no estimate for a real run and says sent instead of would be sent', () => {
    const text = renderTotals(buildReport(counts, { ...context, dryRun: false }), 500);
    expect(text).toContain('replay: complete\n');
    expect(text).toContain('read 10 = sent 5 + rejected 1');
    expect(text).toContain('requests   sent 32500');
    expect(text).not.toContain('would take');
  });

  it('prints the ids identity for delete', () => {
    const report = buildReport({ 'ids.read': 5, 'ids.deleted': 3, 'ids.duplicate': 1, 'ids.rejected': 1, 'requests.sent': 1 }, { ...context, command: 'delete', rate: 50 });
    const text = renderTotals(report, 50);
    expect(text).toContain('delete --dry-run: complete\n');
    expect(text).toContain('  ids        read 5 = would be deleted 3 + duplicate 1 + rejected 1\n');
    expect(text).not.toContain('records');
    expect(text).toContain('--rate 50 requests/s would take about 1s');
  });

  it('says interrupted or stopped for an incomplete run', () => {
    expect(renderTotals(buildReport({}, { ...context, complete: false, interrupted: true }), 500)).toContain(': interrupted\n');
    expect(renderTotals(buildReport({}, { ...context, complete: false }), 500)).toContain(': stopped\n');
  });
});

function row(id: number, from: string, action: TraceDef['action'], count: number, reason = ''): DiffRow {
  const to = action === 'fate' || action === 'dropped' ? '' : `attributes.${from}`;
  return { def: { id, action, from, to, reason }, count, samples: ['a.ndjson:1'], first: id };
}

describe('renderSummary', () => {
  it('prints mapped, changed and dropped fields and record fates in sections', () => {
    const summary: DiffSummary = {
      rows: [
        row(0, 'email', 'mapped', 3),
        { ...row(3, 'skipped: anonymous', 'fate', 2, 'no userId'), samples: ['a.ndjson:3', 'a.ndjson:4'] },
        row(1, 'age', 'changed', 2, 'string to number'),
        row(2, 'ip', 'dropped', 1, 'not mapped'),
      ],
      overflow: 0,
    };
    expect(renderSummary(summary)).toBe(
      [
        'Fields mapped (Segment -> Braze):',
        '         3  email -> attributes.email   e.g. a.ndjson:1',
        '',
        'Fields changed:',
        '         2  age -> attributes.age: string to number   e.g. a.ndjson:1',
        '',
        'Fields dropped:',
        '         1  ip: not mapped   e.g. a.ndjson:1',
        '',
        'Records not sent as they are:',
        '         2  skipped: anonymous: no userId   e.g. a.ndjson:3, a.ndjson:4',
        '',
      ].join('\n'),
    );
  });

  it('prints nothing for an empty summary', () => {
    expect(renderSummary({ rows: [], overflow: 0 })).toBe('');
  });

  it('shows 60 rows of a section and says how many more there are', () => {
    const rows = Array.from({ length: 61 }, (_, i) => row(i, `f${i}`, 'mapped', 100 - i));
    const text = renderSummary({ rows, overflow: 0 });
    expect(text).toContain('f59 -> attributes.f59');
    expect(text).not.toContain('f60 -> attributes.f60');
    expect(text).toContain('… 1 more (see --diff full)');
    expect(renderSummary({ rows: rows.slice(0, 60), overflow: 0 })).not.toContain('more (see --diff full)');
  });

  it('mentions observations that did not fit the table', () => {
    expect(renderSummary({ rows: [], overflow: 7 })).toContain('(7 observations of rarer fields were not tabulated)');
  });
});
