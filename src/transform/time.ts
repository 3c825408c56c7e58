import type { SegmentMessage, TimeField } from './types.js';

/** Where the event time is looked for, per resolved --time (mapping.md §2). */
const ORDER: Readonly<Record<TimeField, readonly string[]>> = {
  timestamp: ['timestamp', 'originalTimestamp', 'receivedAt', 'sentAt'],
  receivedAt: ['receivedAt', 'timestamp', 'originalTimestamp', 'sentAt'],
};

/** The resolved event time of a message, or why there is none. `field` is the field used or tried. */
export type EventTime =
  | { readonly ok: true; readonly ms: number; readonly iso: string; readonly field: string }
  | { readonly ok: false; readonly field: string; readonly reason: string };

// ISO 8601 date, optional time with `T` or a space, optional zone; no zone means UTC (cli.md CSV).
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;
const MAX_MS = 8.64e15;

/** Parses an ISO 8601 string (UTC when it has no zone) or epoch milliseconds; undefined when unusable. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) <= MAX_MS ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (isCanonical(value)) return canonicalMs(value);
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
  const time = utc(y, mo, d, h, mi, s, ms) - zoneOffsetMs(m[8]);
  return Math.abs(time) <= MAX_MS ? time : undefined;
}

const DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];

/** Fast path for `YYYY-MM-DDTHH:MM:SS.sssZ`, the form nearly every Segment archive uses. */
function canonicalMs(text: string): number | undefined {
  for (const i of DIGIT_AT) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  if (text[4] !== '-' || text[7] !== '-' || text[13] !== ':' || text[16] !== ':') return undefined;
  const y = two(text, 0) * 100 + two(text, 2);
  const mo = two(text, 5);
  const d = two(text, 8);
  const h = two(text, 11);
  const mi = two(text, 14);
  const s = two(text, 17);
  if (!validParts(y, mo, d, h, mi, s)) return undefined;
  return utc(y, mo, d, h, mi, s, two(text, 20) * 10 + text.charCodeAt(22) - 48);
}

function two(text: string, i: number): number {
  return (text.charCodeAt(i) - 48) * 10 + text.charCodeAt(i + 1) - 48;
}

/**
 * Date.UTC of valid parts (validParts), except that years 0-99 stay themselves (Date.UTC reads them
 * as 1900-1999); by arithmetic, as formatTime goes the other way: Date.UTC was a tenth of the
 * time parsing of a planning worker.
 */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  return daysFromCivil(y, mo, d) * DAY_MS + h * 3_600_000 + mi * 60_000 + s * 1000 + ms;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant, as formatTime). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function validParts(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  return d <= 28 || d <= daysInMonth(y, mo);
}

function daysInMonth(y: number, mo: number): number {
  if (mo !== 2) return mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return (zone[0] === '-' ? -minutes : minutes) * 60_000;
}

const DAY_MS = 86_400_000;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * ISO 8601 UTC with milliseconds, as Braze gets it: `2025-03-02T10:15:00.000Z`. Same output as
 * `Date#toISOString`, computed by hand for years 0-9999 because toISOString is slow on the hot path.
 */
export function formatTime(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  // Civil date from day number (H. Hinnant, "chrono-compatible low-level date algorithms").
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return new Date(ms).toISOString();
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000);
  rest -= mi * 60_000;
  const sec = Math.floor(rest / 1000);
  const milli = rest - sec * 1000;
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}T${pad2(h)}:${pad2(mi)}:${pad2(sec)}.${pad3(milli)}Z`;
}

/** True for the exact form formatTime writes, so a valid one can be passed through unchanged. */
function isCanonical(text: string): boolean {
  return text.length === 24 && text.charCodeAt(10) === 84 /* T */ && text.charCodeAt(19) === 46 /* . */ && text.charCodeAt(23) === 90 /* Z */;
}

/** The first present time field in the order of `field`; present but unparseable is not usable. */
export function eventTime(msg: SegmentMessage, field: TimeField): EventTime {
  const order = ORDER[field];
  for (const name of order) {
    const raw = msg[name];
    if (raw === undefined || raw === null) continue;
    const ms = parseTime(raw);
    if (ms !== undefined) return { ok: true, ms, iso: typeof raw === 'string' && isCanonical(raw) ? raw : formatTime(ms), field: name };
    return { ok: false, field: name, reason: `${name} ${JSON.stringify(raw)} is not a valid time` };
  }
  return { ok: false, field: order[0]!, reason: `no time: ${order.join(', ')} are all missing` };
}
