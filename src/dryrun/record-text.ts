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
