import type { FieldTrace, MapResult } from '../transform/types.js';

/** One aggregated line of the summary diff: a Segment field, what it became, how often. */
export interface FieldRow {
  readonly from: string;
  readonly to: string;
  readonly action: FieldTrace['action'];
  readonly reason: string;
  count: number;
  readonly samples: string[];
}

/** Records that were skipped or rejected, by reason. */
export interface FateRow {
  readonly fate: string;
  readonly reason: string;
  count: number;
  readonly samples: string[];
}

export interface DiffSummary {
  readonly fields: readonly FieldRow[];
  readonly fates: readonly FateRow[];
  /** Distinct rows not kept because the table was full. */
  readonly overflow: number;
}

const maxSamples = 3;
const maxRows = 5_000;

/**
 * Collects the dry-run diff: per record (printed at once with --diff full) and aggregated by field
 * path (for --diff summary). Array indexes are folded (`products[2].price` -> `products[].price`)
 * so that the summary has one line per field, not per product. Pure apart from `print`.
 */
export class DiffCollector {
  #fields = new Map<string, FieldRow>();
  #fates = new Map<string, FateRow>();
  #overflow = 0;

  /** `print` receives per-record text in full mode; undefined for summary mode. */
  constructor(private readonly print: ((text: string) => void) | undefined) {}

  observe(file: string, line: number, msg: Record<string, unknown>, result: MapResult): void {
    const where = `${shortName(file)}:${line}`;
    if (result.fate === 'skipped') return this.observeSkipped(file, line, result.reason, result.detail);
    for (const trace of result.trace) this.#field(trace, where);
    if (result.fate === 'rejected') this.#fate('rejected', result.reason, where);
    if (this.print) this.print(renderRecord(`${file}:${line}`, msg, result));
  }

  observeSkipped(file: string, line: number, reason: string, detail: string): void {
    this.#fate(`skipped: ${reason}`, fold(detail), `${shortName(file)}:${line}`);
    this.print?.(`${file}:${line}  skipped (${reason}): ${detail}\n`);
  }

  observeRejected(file: string, line: number, reason: string): void {
    this.#fate('rejected', fold(reason), `${shortName(file)}:${line}`);
    this.print?.(`${file}:${line}  rejected: ${reason}\n`);
  }

  summary(): DiffSummary {
    const byCount = <T extends { count: number }>(a: T, b: T) => b.count - a.count;
    return { fields: [...this.#fields.values()].sort(byCount), fates: [...this.#fates.values()].sort(byCount), overflow: this.#overflow };
  }

  #field(trace: FieldTrace, where: string): void {
    const from = fold(trace.from);
    const to = fold(trace.to ?? '');
    const reason = trace.reason ? fold(trace.reason) : '';
    const key = `${trace.action}\u0000${from}\u0000${to}\u0000${reason}`;
    const row = this.#fields.get(key);
    if (row) {
      row.count++;
      if (row.samples.length < maxSamples) row.samples.push(where);
    } else if (this.#fields.size < maxRows) {
      this.#fields.set(key, { from, to, action: trace.action, reason, count: 1, samples: [where] });
    } else this.#overflow++;
  }

  #fate(fate: string, reason: string, where: string): void {
    const key = `${fate}\u0000${reason}`;
    const row = this.#fates.get(key);
    if (row) {
      row.count++;
      if (row.samples.length < maxSamples) row.samples.push(where);
    } else if (this.#fates.size < maxRows) {
      this.#fates.set(key, { fate, reason, count: 1, samples: [where] });
    } else this.#overflow++;
  }
}

/** The file name without its folders: summary samples stay short (the full path is in --diff full). */
function shortName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

/**
 * Folds what differs from record to record (array indexes, group IDs in attribute names) so that
 * one field or reason aggregates across records.
 */
function fold(text: string): string {
  const folded = text.indexOf('[') === -1 ? text : text.replace(/\[\d+\]/g, '[]');
  const group = folded.indexOf('ab_segment_group_');
  return group === -1 ? folded : `${folded.slice(0, group)}ab_segment_group_<groupId>`;
}

function renderRecord(where: string, msg: Record<string, unknown>, result: MapResult): string {
  const name = typeof msg.event === 'string' ? ` ${JSON.stringify(msg.event)}` : '';
  const who = msg.userId === undefined ? '' : ` user ${JSON.stringify(msg.userId)}`;
  const head = result.fate === 'rejected' ? `rejected: ${result.reason}` : 'sent';
  const lines = [`${where}  ${String(msg.type)}${name}${who} -> ${head}`];
  for (const t of result.trace) {
    if (t.action === 'dropped') lines.push(`    ${t.from}  dropped: ${t.reason ?? ''}`);
    else if (t.action === 'changed') lines.push(`    ${t.from} -> ${t.to ?? '?'}  changed to ${JSON.stringify(t.value)}: ${t.reason ?? ''}`);
    else lines.push(`    ${t.from} -> ${t.to ?? '?'}`);
  }
  if (result.fate !== 'skipped') {
    for (const o of result.objects) lines.push(`    => ${o.kind}: ${JSON.stringify(o.body)}`);
  }
  return lines.join('\n') + '\n';
}
