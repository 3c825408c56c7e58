import type { MapContext, Mapped } from './context.js';
import { brazeObject, objectHead } from './context.js';
import { MAX_STRING } from './limits.js';

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
    trace.push({ from: 'groupId', to: `attributes.${key}`, action: 'changed', reason: 'group membership attribute', value: true });
    if (msg['traits'] !== undefined) trace.push({ from: 'traits', action: 'dropped', reason: 'group traits are not sent' });
  }
  return { ok: true, objects: [brazeObject(ctx, 'attributes', body)] };
}
