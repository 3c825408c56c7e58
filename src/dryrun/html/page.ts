import type { PageData } from './page-data.js';
import { dataPoints, fates, fields, overTime, reasons, requests, samples, settings } from './sections.js';
import { esc, num } from './text.js';

/**
 * The dry run's page (cli.md "Dry run", issue 26): one self-contained HTML document, inline CSS and
 * SVG, no script, no request to anything. Every number is in the markup (tables with headers,
 * `data-value` on numeric cells), so it reads without JavaScript, in print and with a screen reader.
 * Pure: a function of the page data.
 */
export function renderPage(data: PageData): string {
  const r = data.report;
  const status = r.complete ? 'complete' : r.interrupted ? 'interrupted: the page covers the records before the checkpoint' : 'stopped';
  const parts = [
    fates(r),
    data.series ? overTime(data.series) : '',
    r.objects ? dataPoints(r) : '',
    data.fields ? fields(data.fields.rows, data.fields.overflow) : r.records ? '<section id="fields"><h2>Fields: Segment to Braze</h2><p>Not collected (nor samples): the run was made with <code>--diff none</code>.</p></section>' : '',
    data.fields ? reasons(data.fields.rows) : '',
    samples(data.samples),
    requests(data),
    settings(data),
  ];
  const partial = data.whole ? '' : '<p class="warn">This run was resumed from a checkpoint whose page data was not found: charts, lists and samples cover only the records read since; the totals cover the whole run.</p>';
  const warnings = r.warnings.length > 0 ? `<ul class="warn">${r.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Dry run: ${esc(r.command)} of ${esc(r.inputs.join(' '))}</title><style>${CSS}</style></head>
<body><header><h1>segment-braze ${esc(r.command)} --dry-run</h1>
<p>${esc(status)}. Inputs: <code>${esc(r.inputs.join(' '))}</code> (${num(r.files)} file${r.files === 1 ? '' : 's'}). Started ${esc(r.startedAt)}, updated ${esc(r.updatedAt)}. Nothing was sent to Braze.</p>
${summary(data)}${partial}${warnings}
<nav aria-label="Sections"><a href="#records">Records</a> <a href="#time">Over time</a> <a href="#points">Data points</a> <a href="#fields">Fields</a> <a href="#reasons">Reasons</a> <a href="#samples">Samples</a> <a href="#requests">Requests</a> <a href="#settings">Settings</a></nav></header>
<main>${parts.join('\n')}</main>
<footer><p>Written by segment-braze with the dry run's report.json beside it in <code>${esc(r.state)}</code>.</p></footer>
</body></html>
`;
}

function summary(data: PageData): string {
  const r = data.report;
  const cards: Array<[string, number]> = r.records
    ? [['records read', r.records.read], ['would be sent', r.records.sent], ['data points', r.dataPoints ?? 0], ['requests', r.requests.sent]]
    : [['IDs read', r.ids!.read], ['would be deleted', r.ids!.deleted], ['requests', r.requests.sent]];
  return `<dl class="cards">${cards.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${num(v)}</dd></div>`).join('')}</dl>`;
}

const CSS = `
:root{--fg:#1d2330;--mute:#5b6475;--line:#d8dce4;--bar0:#3d6fd8;--bar1:#6f93e3;--accent:#c2410c;--bg:#fff}
*{box-sizing:border-box}body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1000px;padding:16px 24px}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;border-bottom:2px solid var(--line);padding-bottom:4px;margin-top:1.8em}h3{font-size:1.02em;margin:1.2em 0 .3em}h4{margin:.2em 0;font-size:.95em}
code,pre{font:12.5px/1.35 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}pre{background:#f5f6f8;border:1px solid var(--line);padding:8px;overflow:auto;white-space:pre-wrap;word-break:break-word;max-height:26em}
table{border-collapse:collapse;min-width:55%;margin:.5em 0 1em}#fields table,#reason-table,#settings-table{width:100%}td.s{max-width:16em}caption{text-align:left;color:var(--mute);font-size:.9em;padding:2px 0}th,td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}thead th{background:#f0f2f6}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.s{color:var(--mute);font-size:.88em}
.tag{background:#ede9fe;color:#5b21b6;border-radius:3px;padding:0 4px;font-size:.85em}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}.cards div{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:150px}.cards dt{color:var(--mute);font-size:.85em}.cards dd{margin:0;font-size:1.45em;font-weight:600}
nav a{margin-right:10px}.warn{color:var(--accent)}svg{display:block;max-width:100%;margin:.3em 0}svg .l{font-size:11px;fill:var(--fg)}svg .v{font-size:11px;fill:var(--mute)}svg .b0{fill:var(--bar0)}svg .b1{fill:var(--bar1)}svg .line{stroke:var(--accent);stroke-width:2}svg .axis{stroke:var(--mute)}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:12px}.k{margin:.2em 0;color:var(--mute);font-size:.85em}.sample{border-top:1px dashed var(--line);padding-top:6px}
@media print{body{max-width:none;padding:0;font-size:11pt}nav{display:none}section{break-inside:auto}svg,table tr,.sample{break-inside:avoid}pre{max-height:none}}
`;
