import type { PointsBy, Report } from '../state/report.js';
import type { DiffRow, DiffSummary } from './diff.js';
import type { TraceDef } from './trace-keys.js';

const maxLines = 60;

/** The --diff summary text: fields by what became of them, then records by fate. */
export function renderSummary(summary: DiffSummary): string {
  const out: string[] = [];
  const section = (title: string, rows: readonly DiffRow[], line: (d: TraceDef) => string) => {
    if (rows.length === 0) return;
    out.push(title);
    for (const row of rows.slice(0, maxLines)) out.push(`  ${pad(row.count)}  ${line(row.def)}   e.g. ${row.samples.join(', ')}`);
    if (rows.length > maxLines) out.push(`  … ${rows.length - maxLines} more (see --diff full)`);
    out.push('');
  };
  const by = (action: TraceDef['action']) => summary.rows.filter((r) => r.def.action === action);
  section('Fields mapped (Segment -> Braze):', by('mapped'), (d) => `${d.from} -> ${d.to}`);
  section('Fields changed:', by('changed'), (d) => `${d.from} -> ${d.to}: ${d.reason}`);
  section('Fields dropped:', by('dropped'), (d) => `${d.from}: ${d.reason}`);
  section('Records not sent as they are:', by('fate'), (d) => `${d.from}: ${d.reason}`);
  if (summary.overflow > 0) out.push(`(${summary.overflow} observations of rarer fields were not tabulated)`, '');
  return out.join('\n');
}

/** Totals for the end of any run (cli.md: records by fate, objects, requests, data points, time). */
export function renderTotals(report: Report, rate: number): string {
  const lines: string[] = [];
  const status = report.complete ? 'complete' : report.interrupted ? 'interrupted' : 'stopped';
  lines.push(`${report.command}${report.dryRun ? ' --dry-run' : ''}: ${status}`);
  if (report.records) {
    const r = report.records;
    const skipped = Object.values(r.skipped).reduce((a, b) => a + b, 0);
    const parts = Object.entries(r.skipped).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`  records    read ${r.read} = ${report.dryRun ? 'would be sent' : 'sent'} ${r.sent} + rejected ${r.rejected} + skipped ${skipped} (${parts})`);
    lines.push(...identityLines(r));
    const o = report.objects!;
    lines.push(`  objects    attributes ${o.attributes}, events ${o.events}, purchases ${o.purchases}${o.attributesUnchanged > 0 ? `; attribute values unchanged, not sent ${o.attributesUnchanged}` : ''}`);
    const saved = report.dataPointsSaved ?? 0;
    lines.push(`  data points ${report.dataPoints ?? 0} (billable in Braze)${saved > 0 ? `; --attributes changed saved ${saved} (all would spend ${(report.dataPoints ?? 0) + saved})` : ''}`);
    if (r.invalidUtf8 > 0) lines.push(`  invalid UTF-8 in ${r.invalidUtf8} record${r.invalidUtf8 === 1 ? '' : 's'} (the bad bytes became U+FFFD)`);
    if (report.topEvents?.length) lines.push(`  top events by data points      ${pointsBy(report.topEvents)}`);
    if (report.topPurchases?.length) lines.push(`  top products by data points    ${pointsBy(report.topPurchases)}`);
    if (report.topAttributes?.length) lines.push(`  top attributes by data points  ${pointsBy(report.topAttributes)}`);
  }
  if (report.ids) {
    const i = report.ids;
    lines.push(`  ids        read ${i.read} = ${report.dryRun ? 'would be deleted' : 'deleted'} ${i.deleted} + duplicate ${i.duplicate} + rejected ${i.rejected}`);
  }
  const q = report.requests;
  lines.push(`  requests   ${report.dryRun ? 'would send' : 'sent'} ${q.sent}, retried ${q.retried}, in doubt ${q.inDoubt}`);
  if (q.kept !== undefined && q.kept < q.sent) lines.push(`  requests.ndjson holds the first ${q.kept} of them (--keep-requests); ${q.sent - q.kept} not written`);
  if (report.dedupWindow) lines.push(`  duplicates skipped within ${report.dedupWindow === 'all' ? 'the whole run' : report.dedupWindow === 'off' ? 'nothing (--dedup-window off)' : `${report.dedupWindow} of message time`}`);
  if (report.estimatedSeconds !== undefined) {
    lines.push(`  a real run at --rate ${rate} requests/s would take about ${duration(report.estimatedSeconds)}`);
  }
  lines.push(`  state      ${report.state}`);
  // Every dry run writes its page there (cli.md "Dry run"); an interrupted one, for what it covered.
  if (report.dryRun) lines.push(`  page       ${report.state}/report.html (open it in a browser; attach it to the review)`);
  return lines.join('\n') + '\n';
}

function pointsBy(list: readonly PointsBy[]): string {
  return list.map((p) => `${p.name} ${p.dataPoints}`).join(', ');
}

/** --stitch: what was recovered and why the rest stayed anonymous; without it, what it might recover. */
function identityLines(r: NonNullable<Report['records']>): string[] {
  const a = r.anonymous;
  const lines: string[] = [];
  if (r.stitched !== undefined) lines.push(`  stitched   ${r.stitched} anonymous records recovered: sent as the one userId the archive links their anonymousId to`);
  if (!a) return lines;
  if (r.stitched === undefined) {
    const carrying = a.unlinked + a.ambiguous + a.olderTraits;
    if (carrying > 0) lines.push(`  anonymous  ${carrying} of ${r.skipped['anonymous'] ?? 0} anonymous records carry an anonymousId: --stitch may recover some of them`);
    return lines;
  }
  lines.push(`  anonymous  still skipped: never linked ${a.unlinked}, ambiguous ${a.ambiguous}, no anonymousId ${a.noAnonymousId}, identify older than the user's traits ${a.olderTraits}`);
  return lines;
}

function pad(n: number): string {
  return String(n).padStart(8);
}

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h ${m}m ${s}s` : m > 0 ? `${m}m ${s}s` : `${s}s`;
}
