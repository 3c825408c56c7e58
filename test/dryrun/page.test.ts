import { describe, expect, it } from 'vitest';
import { DiffCollector } from '../../src/dryrun/diff.js';
import { renderPage } from '../../src/dryrun/html/page.js';
import type { PageData } from '../../src/dryrun/html/page-data.js';
import type { Report } from '../../src/state/report.js';
import { TimeSeries } from '../../src/dryrun/time-series.js';

const evil = '<script>alert(1)</script>"\'&';

function report(): Report {
  return {
    command: 'replay', dryRun: true, complete: true, interrupted: false, state: '/s', inputs: [evil], files: 1,
    records: { read: 3, sent: 1, rejected: 1, skipped: { anonymous: 1 }, invalidUtf8: 0 },
    objects: { attributes: 1, events: 1, purchases: 0, attributesUnchanged: 0 }, dataPoints: 7, dataPointsSaved: 0,
    topEvents: [{ name: evil, dataPoints: 5 }], topPurchases: [], topAttributes: [{ name: 'x'.repeat(5000), dataPoints: 2 }],
    requests: { sent: 1, retried: 0, inDoubt: 0, kept: 1 }, estimatedSeconds: 1, startedAt: 't', updatedAt: 't', warnings: [evil],
  };
}

/** The largest page the bounds allow: every field line the diff tabulates, the longest series, long names. */
function largest(): PageData {
  const diff = new DiffCollector();
  const long = (i: number) => `properties.${'p'.repeat(180)}${i}`;
  diff.define(Array.from({ length: 20_000 }, (_, id) => ({ id, action: 'dropped' as const, from: long(id), to: '', reason: 'r'.repeat(300) })));
  for (let id = 0; id < 20_000; id++) for (let n = 0; n < 3; n++) diff.count([id], `/a/${'f'.repeat(200)}.ndjson`, n);
  const series = new TimeSeries();
  for (let m = 0; m < 599; m++) series.add(Date.UTC(1990, m, 2) / 1000, true, 1);
  const sample = { where: 'f:1', fate: 'records.sent', before: 'b'.repeat(4100), after: Array.from({ length: 3 }, () => ({ array: 'events', json: 'e'.repeat(4100) })) };
  return {
    report: { ...report(), topEvents: Array.from({ length: 10 }, () => ({ name: 'n'.repeat(5000), dataPoints: 1 })) },
    rate: 500, batchSize: 75, series: series.data(), fields: diff.summary(), samples: Array.from({ length: 7 }, () => sample),
    settings: [['--preset', 'classic']], liveCommand: 'npx segment-braze replay x', whole: true,
  };
}

describe('renderPage', () => {
  it('escapes everything that comes from the archive or the command line', () => {
    const diff = new DiffCollector();
    diff.define([{ id: 0, action: 'dropped', from: evil, to: '', reason: evil }]);
    diff.count([0], evil, 1);
    const html = renderPage({ report: report(), rate: 500, batchSize: 75, fields: diff.summary(), samples: [{ where: evil, fate: 'records.sent', before: evil, after: [{ array: 'events', json: evil }] }], settings: [['--events', evil]], liveCommand: evil, whole: true });
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
  });

  it('stays under 2 MB at the bounds of what it is given', () => {
    const html = renderPage(largest());
    expect(html).toContain('rarer lines are not shown');
    expect(Buffer.byteLength(html)).toBeLessThan(2 << 20);
  });

  it('has no script, no external reference and a policy that forbids them', () => {
    const html = renderPage(largest());
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|https?:\/\//i);
    expect(html).toContain("default-src 'none'");
  });
});

/** The summary but for the lines' numbers (each process numbers its own). */
function lines(diff: DiffCollector): unknown {
  const { rows, overflow } = diff.summary();
  return { overflow, rows: rows.map(({ def: { id: _id, ...def }, ...row }) => ({ ...row, def })) };
}

describe('DiffCollector snapshot', () => {
  it('comes back with the same lines, counts, samples and order, and goes on counting', () => {
    const defs = [
      { id: 0, action: 'mapped' as const, from: 'a', to: 'A', reason: '' },
      { id: 1, action: 'dropped' as const, from: 'b', to: '', reason: 'why' },
      { id: 2, action: 'changed' as const, from: 'c', to: 'C', reason: 'how' },
    ];
    const one = new DiffCollector();
    one.define(defs);
    one.count([1, 0], '/x/f.ndjson', 1);
    one.duplicate('/x/f.ndjson', 2);
    const two = new DiffCollector();
    two.restore(JSON.parse(JSON.stringify(one.snapshot())));
    // A resumed run's workers define the lines again, under other numbers.
    two.define(defs.map((d) => ({ ...d, id: d.id + 10 })));
    expect(lines(two)).toEqual(lines(one));
    // A line first met after the resume comes after those met before it, among equal counts.
    one.count([0, 2], '/x/f.ndjson', 3);
    two.count([10, 12], '/x/f.ndjson', 3);
    expect(lines(two)).toEqual(lines(one));
  });
});
