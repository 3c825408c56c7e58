import type { MapResult } from '../transform/types.js';

/** One record of --diff full: its Segment identity, what each field became, and the Braze objects. */
export function recordText(where: string, msg: Record<string, unknown>, result: MapResult): string {
  const name = typeof msg.event === 'string' ? ` ${JSON.stringify(msg.event)}` : '';
  const who = msg.userId === undefined ? '' : ` user ${JSON.stringify(msg.userId)}`;
  const head = result.fate === 'skipped' ? `skipped (${result.reason}): ${result.detail}` : result.fate === 'rejected' ? `rejected: ${result.reason}` : 'sent';
  const lines = [`${where}  ${String(msg.type)}${name}${who} -> ${head}`];
  if (result.fate !== 'skipped' && result.stitched) {
    lines.push(`    anonymousId -> ${result.stitched.key ?? 'external_id'} (stitched) ${JSON.stringify(result.stitched.userId)}, linked by ${result.stitched.source}`);
  }
  for (const t of result.trace) {
    if (t.action === 'dropped') lines.push(`    ${t.from}  dropped: ${t.reason ?? ''}`);
    else if (t.action === 'changed') lines.push(`    ${t.from} -> ${t.to ?? '?'}  changed to ${JSON.stringify(t.value)}: ${t.reason ?? ''}`);
    else lines.push(`    ${t.from} -> ${t.to ?? '?'}`);
  }
  if (result.fate !== 'skipped') for (const o of result.objects) lines.push(`    => ${o.kind}: ${JSON.stringify(o.body)}`);
  return lines.join('\n') + '\n';
}

/** --diff full's line of a record rejected before it was mapped (malformed JSON, not a message). */
export function rejectedText(where: string, reason: string): string {
  return `${where}  rejected: ${reason}\n`;
}

/** --diff full's line under a record whose text held invalid UTF-8. */
export const INVALID_UTF8_TEXT = '    (text)  changed: invalid UTF-8 replaced by U+FFFD\n';

const SAMPLE_CHARS = 4_000;

/** The page's sample of a record: its message as read, cut at SAMPLE_CHARS characters. */
export function sampleText(msg: Record<string, unknown>): string {
  const text = JSON.stringify(msg, null, 2);
  return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}\n… (${text.length - SAMPLE_CHARS} more characters)` : text;
}
