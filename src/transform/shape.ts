import type { SegmentMessage } from './types.js';
import { isRecord } from './limits.js';

/** The first check of the fate order (mapping.md §1): is the record a Segment message at all? */
export type ShapeResult = { ok: true; msg: SegmentMessage } | { ok: false; reason: string; field?: string };

/** Accepts a JSON object with a non-empty string `type`; anything else is rejected as malformed. */
export function checkShape(value: unknown): ShapeResult {
  if (!isRecord(value)) return { ok: false, reason: 'not a JSON object' };
  const type = value['type'];
  if (type === undefined || type === null) return { ok: false, reason: 'no type', field: 'type' };
  if (typeof type !== 'string') return { ok: false, reason: 'type is not a string', field: 'type' };
  if (type === '') return { ok: false, reason: 'type is empty', field: 'type' };
  return { ok: true, msg: value as SegmentMessage };
}
