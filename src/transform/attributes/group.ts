import type { MapContext, Mapped } from '../context.js';
import { brazeObject, objectHead } from '../context.js';
import { MAX_STRING } from '../limits.js';
import { traceChanged, traceDropped } from '../trace.js';

const PREFIX = 'ab_segment_group_';

/** group -> `{external_id, ab_segment_group_<groupId>: true}` (mapping.md §7); traits are not sent. */
export function groupAttributes(ctx: MapContext): Mapped {
  const { msg, trace } = ctx;
  const raw = msg['groupId'];
  const groupId = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
  if (typeof groupId !== 'string' || groupId.trim() === '') {
    return { ok: false, reason: 'group without groupId', field: 'groupId', objects: [] };
  }
  const key = PREFIX + groupId;
  if (key.length > MAX_STRING) {
    return { ok: false, reason: `groupId makes an attribute key longer than ${MAX_STRING} characters`, field: 'groupId', objects: [] };
  }
  const body = objectHead(ctx, 'attributes');
  body[key] = true;
  if (trace) {
    trace.push(traceChanged('groupId', `attributes.${key}`, 'group membership attribute', true));
    if (msg['traits'] !== undefined) trace.push(traceDropped('traits', 'group traits are not sent'));
  }
  return { ok: true, objects: [brazeObject(ctx, 'attributes', body)] };
}
