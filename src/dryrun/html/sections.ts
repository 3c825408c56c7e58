import type { PointsBy, Report } from '../../state/report.js';
import type { DiffRow } from '../diff.js';
import type { RecordSample } from '../samples.js';
import type { SeriesData } from '../time-series.js';
import { barChart, timeChart } from './charts.js';
import type { PageData } from './page-data.js';
import { cut, duration, esc, num, numCell } from './text.js';

/** Field lines shown at most (the rest are counted in a note): the page stays under its size bound. */
export const MAX_FIELD_ROWS = 300;

function section(id: string, title: string, body: string): string {
  return `<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${esc(title)}</h2>${body}</section>`;
}

function table(caption: string, head: readonly string[], rows: readonly string[], id?: string): string {
  return `<table${id ? ` id="${id}"` : ''}><caption>${esc(caption)}</caption><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Records by fate (replay) or IDs by outcome (delete), as a chart and a table. */
export function fates(report: Report): string {
  const dry = (live: string) => `would be ${live}`;
  const rows: Array<[string, string, number]> = [];
  if (report.records) {
    const r = report.records;
    rows.push(['records.sent', dry('sent'), r.sent], ['records.rejected', 'rejected', r.rejected]);
    for (const [reason, n] of Object.entries(r.skipped)) rows.push([`records.skipped.${reason}`, `skipped: ${reason}`, n]);
    const identified = (report.records as { identifiedBy?: unknown }).identifiedBy;
    const extra = identifiedBy(identified);
    const read = `<p>Records read: <strong data-key="records.read" data-value="${r.read}">${num(r.read)}</strong>${r.stitched !== undefined ? `; stitched (sent as their user): <span data-key="records.stitched" data-value="${r.stitched}">${num(r.stitched)}</span>` : ''}${r.invalidUtf8 > 0 ? `; with invalid UTF-8 replaced: ${num(r.invalidUtf8)}` : ''}.</p>`;
    const chart = barChart('fates-chart', 'Records by fate', rows.map(([, label, value]) => ({ label, value })));
    const body = table('Records by fate (they add up to the records read)', ['Fate', 'Records'], rows.map(([key, label, n]) => `<tr><th scope="row">${esc(label)}</th>${numCell(n, key)}</tr>`), 'fates');
    return section('records', 'Records by fate', read + chart + body + extra);
  }
  const i = report.ids!;
  rows.push(['ids.deleted', dry('deleted'), i.deleted], ['ids.duplicate', 'duplicate', i.duplicate], ['ids.rejected', 'rejected', i.rejected]);
  const read = `<p>IDs read: <strong data-key="ids.read" data-value="${i.read}">${num(i.read)}</strong>.</p>`;
  const chart = barChart('fates-chart', 'IDs by outcome', rows.map(([, label, value]) => ({ label, value })));
  return section('records', 'IDs by outcome', read + chart + table('IDs by outcome', ['Outcome', 'IDs'], rows.map(([key, label, n]) => `<tr><th scope="row">${esc(label)}</th>${numCell(n, key)}</tr>`), 'fates'));
}

/** records.identifiedBy (with --mapping): how many records each identifier named, when the report has it. */
function identifiedBy(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  const rows = Object.entries(value).filter((e): e is [string, number] => typeof e[1] === 'number');
  if (rows.length === 0) return '';
  return table('Records by the identifier that named the user', ['Identifier', 'Records'], rows.map(([k, n]) => `<tr><th scope="row">${esc(k)}</th>${numCell(n, `records.identifiedBy.${k}`)}</tr>`));
}

export function overTime(series: SeriesData): string {
  const { granularity, buckets, untimed } = series;
  const note = `<p>By ${granularity} of message time (receivedAt, else timestamp; UTC${granularity === 'week' ? ', weeks from Monday' : ''}).${untimed > 0 ? ` Records without a time: <span data-key="series.untimed" data-value="${untimed}">${num(untimed)}</span>.` : ''}</p>`;
  if (buckets.length === 0) return section('time', 'Over message time', `${note}<p>No record had a time.</p>`);
  const chart = timeChart('time-chart', `Data points and records by ${granularity}`, buckets.map((b) => ({ label: b.start, value: b.dataPoints, second: b.records })), ['data points', 'records']);
  const rows = buckets.map((b) => `<tr><th scope="row">${b.start}</th>${numCell(b.records)}${numCell(b.sent)}${numCell(b.dataPoints)}</tr>`);
  const values = table(`Records and data points by ${granularity}`, [granularity[0]!.toUpperCase() + granularity.slice(1), 'Records', 'Would be sent', 'Data points'], rows, 'series');
  return section('time', 'Over message time', note + chart + values);
}

/** Data points in total and by event, product and attribute (report.json's top lists). */
export function dataPoints(report: Report): string {
  const o = report.objects!;
  const saved = report.dataPointsSaved ?? 0;
  const total = `<p>Data points (billable in Braze): <strong data-key="dataPoints" data-value="${report.dataPoints ?? 0}">${num(report.dataPoints ?? 0)}</strong>${saved > 0 ? `; <code>--attributes changed</code> saved <span data-key="dataPointsSaved" data-value="${saved}">${num(saved)}</span>` : ''}.</p>`;
  const objects = table('Objects a real run would send', ['Kind', 'Objects'], [
    `<tr><th scope="row">attributes</th>${numCell(o.attributes, 'objects.attributes')}</tr>`,
    `<tr><th scope="row">events</th>${numCell(o.events, 'objects.events')}</tr>`,
    `<tr><th scope="row">purchases</th>${numCell(o.purchases, 'objects.purchases')}</tr>`,
  ]);
  const lists = [top('events', 'Data points by event name', report.topEvents), top('purchases', 'Data points by product', report.topPurchases), top('attributes', 'Data points by attribute', report.topAttributes)];
  return section('points', 'Data points', total + objects + lists.join(''));
}

function top(id: string, title: string, list: readonly PointsBy[] | undefined): string {
  if (!list || list.length === 0) return '';
  const chart = barChart(`${id}-chart`, title, list.map((p) => ({ label: p.name, value: p.dataPoints })));
  const rows = list.map((p) => `<tr><th scope="row">${esc(cut(p.name))}</th>${numCell(p.dataPoints)}</tr>`);
  return `<h3>${esc(title)}</h3>${chart}${table(title, ['Name', 'Data points'], rows, `top-${id}`)}`;
}

/** A line made by a --mapping file rule says so in its reason (mapping.md §10). */
const isMappingRule = (row: DiffRow): boolean => /mapping file|--mapping/i.test(row.def.reason);

/** The field table, in three parts a reviewer reads in this order: what is dropped, changed, mapped. */
export function fields(rows: readonly DiffRow[], overflow: number): string {
  const parts: string[] = [];
  let room = MAX_FIELD_ROWS;
  let left = 0;
  for (const [action, title] of FIELD_PARTS) {
    const own = rows.filter((r) => r.def.action === action);
    if (own.length === 0) continue;
    const shown = own.slice(0, Math.max(room, 10));
    room -= shown.length;
    left += own.length - shown.length;
    const why = action !== 'mapped' || own.some((r) => r.def.reason !== '');
    const body = shown.map((r) => {
      const rule = isMappingRule(r) ? ' <span class="tag">mapping file rule</span>' : '';
      const to = action === 'dropped' ? '' : `<td><code>${esc(cut(r.def.to))}</code></td>`;
      return `<tr class="${action}"><th scope="row"><code>${esc(cut(r.def.from))}</code></th>${to}${numCell(r.count)}${why ? `<td>${esc(cut(r.def.reason))}${rule}</td>` : ''}<td class="s">${esc(r.samples.join(', '))}</td></tr>`;
    });
    const head = ['Segment field', ...(action === 'dropped' ? [] : ['Braze field']), 'Records', ...(why ? ['Why'] : []), 'Samples (file:line)'];
    parts.push(`<h3>${title}</h3>${table(`${title}, by how many records`, head, body, `fields-${action}`)}`);
  }
  const more = left > 0 ? `<p>${num(left)} rarer lines are not shown (run with <code>--diff full</code> to see every record).</p>` : '';
  const untabulated = overflow > 0 ? `<p>${num(overflow)} observations of rarer fields were not tabulated.</p>` : '';
  return section('fields', 'Fields: Segment to Braze', parts.join('') + more + untabulated);
}

const FIELD_PARTS = [
  ['dropped', 'Dropped'],
  ['changed', 'Changed on the way'],
  ['mapped', 'Mapped as they are'],
] as const;

/** Records not sent as they are (skipped, rejected) by reason, with sample sources. */
export function reasons(rows: readonly DiffRow[]): string {
  const fate = rows.filter((r) => r.def.action === 'fate');
  if (fate.length === 0) return section('reasons', 'Rejected and skipped: reasons', '<p>Every record would be sent as it is.</p>');
  const body = fate.slice(0, MAX_FIELD_ROWS).map((r) => `<tr><th scope="row">${esc(cut(r.def.from))}</th><td>${esc(cut(r.def.reason, 300))}</td>${numCell(r.count)}<td class="s">${esc(r.samples.join(', '))}</td></tr>`);
  return section('reasons', 'Rejected and skipped: reasons', table('Records not sent as they are, by reason (rejected.ndjson holds every rejected record)', ['Fate', 'Reason', 'Records', 'Samples (file:line)'], body, 'reason-table'));
}

export function samples(list: readonly RecordSample[]): string {
  if (list.length === 0) return '';
  const items = list.map((s) => {
    const after = s.after.length === 0 ? '<p>Nothing would be sent.</p>' : s.after.map((a) => `<p class="k">${esc(a.array)}</p><pre>${esc(a.json)}</pre>`).join('');
    return `<article class="sample"><h3>${esc(s.where)}: ${esc(s.fate.replace(/^records\./, '').replace('sent', 'would be sent'))}</h3><div class="pair"><div><h4>Segment message</h4><pre>${esc(s.before)}</pre></div><div><h4>Braze objects</h4>${after}</div></div></article>`;
  });
  return section('samples', 'Records before and after mapping', `<p>The first records of the archive's first lines.</p>${items.join('')}`);
}

export function requests(data: PageData): string {
  const q = data.report.requests;
  const seconds = data.report.estimatedSeconds ?? 0;
  const rows = [
    `<tr><th scope="row">Requests a real run would send</th>${numCell(q.sent, 'requests.sent')}</tr>`,
    `<tr><th scope="row">Kept in requests.ndjson</th>${numCell(q.kept ?? 0, 'requests.kept')}</tr>`,
    `<tr><th scope="row">Objects per request (--batch-size)</th>${numCell(data.batchSize)}</tr>`,
    `<tr><th scope="row">Requests per second (--rate)</th>${numCell(data.rate)}</tr>`,
    `<tr><th scope="row">Time at that rate (seconds)</th>${numCell(seconds, 'estimatedSeconds')}</tr>`,
  ];
  return section('requests', 'Requests and time', `<p>At --rate ${num(data.rate)} requests a second, a real run would take about <strong>${duration(seconds)}</strong>.</p>${table('Requests', ['', 'Value'], rows, 'requests')}`);
}

export function settings(data: PageData): string {
  const mapping = data.report.mapping;
  const file = mapping ? `<p>Mapping file: <code>${esc(mapping.file)}</code>, sha256 <code data-key="mapping.sha256">${esc(mapping.sha256)}</code>.</p>` : '';
  const rows = data.settings.map(([flag, value]) => `<tr><th scope="row"><code>${esc(flag)}</code></th><td>${esc(value)}</td></tr>`);
  const live = `<p>The command that goes live (the API key comes from <code>BRAZE_API_KEY</code> or <code>--api-key-file</code>, and is never shown):</p><pre class="cmd">${esc(data.liveCommand)}</pre>`;
  return section('settings', 'Settings and the command that goes live', file + table('Settings used', ['Flag', 'Value'], rows, 'settings-table') + live);
}
