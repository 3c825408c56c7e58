import type { SegmentMessage, TimeField } from './types.js';

/** Where the event time is looked for, per resolved --time (mapping.md §2). */
const ORDER: Readonly<Record<TimeField, readonly string[]>> = {
  timestamp: ['timestamp', 'originalTimestamp', 'receivedAt', 'sentAt'],
  receivedAt: ['receivedAt', 'timestamp', 'originalTimestamp', 'sentAt'],
};

/** The resolved event time of a message, or why there is none. `field` is the field used or tried. */
export type EventTime =
  | { readonly ok: true; readonly ms: number; readonly field: string }
  | { readonly ok: false; readonly field: string; readonly reason: string };

// ISO 8601 date, optional time with `T` or a space, optional zone; no zone means UTC (cli.md CSV).
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;
const MAX_MS = 8.64e15;

/** Parses an ISO 8601 string (UTC when it has no zone) or epoch milliseconds; undefined when unusable. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) <= MAX_MS ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = ISO.exec(value.trim());
  if (m === null) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = m[4] === undefined ? 0 : Number(m[4]);
  const mi = m[5] === undefined ? 0 : Number(m[5]);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (!validParts(y, mo, d, h, mi, s)) return undefined;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, ms) - zoneOffsetMs(m[8]);
  return Math.abs(utc) <= MAX_MS ? utc : undefined;
}

function validParts(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  return d <= 28 || d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return (zone[0] === '-' ? -minutes : minutes) * 60_000;
}

/** ISO 8601 UTC with milliseconds, as Braze gets it: `2025-03-02T10:15:00.000Z`. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** The first present time field in the order of `field`; present but unparseable is not usable. */
export function eventTime(msg: SegmentMessage, field: TimeField): EventTime {
  const order = ORDER[field];
  for (const name of order) {
    const raw = msg[name];
    if (raw === undefined || raw === null) continue;
    const ms = parseTime(raw);
    if (ms !== undefined) return { ok: true, ms, field: name };
    return { ok: false, field: name, reason: `${name} ${JSON.stringify(raw)} is not a valid time` };
  }
  return { ok: false, field: order[0]!, reason: `no time: ${order.join(', ')} are all missing` };
}
