import type { Preset } from '../types.js';
import { countryCode } from './country.js';
import { LANGUAGE_CODES } from './languages.js';
import { MAX_STRING, TRUNCATED, truncate } from '../limits.js';
import { formatTime, parseTime } from '../time.js';

/**
 * The check of one Braze standard attribute value (mapping.md §3). `ok` with `reason` means the
 * value was changed (truncated); `ok` with a different `value` and no reason is a change of form only.
 * `null` always passes: it unsets the attribute in Braze.
 */
export type FieldCheck = { readonly ok: true; readonly value: unknown; readonly reason?: string } | { readonly ok: false; readonly reason: string };

/** Validates a value given for one standard attribute. */
export type FieldValidator = (value: unknown) => FieldCheck;

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** Plain text fields (names, email, phone, image_url, home_city): a string, numbers converted. */
export function textField(value: unknown): FieldCheck {
  if (value === null) return { ok: true, value };
  if (typeof value === 'number') return { ok: true, value: String(value) };
  if (typeof value !== 'string') return { ok: false, reason: `${show(value)} is not a string` };
  return value.length > MAX_STRING ? { ok: true, value: truncate(value), reason: TRUNCATED } : { ok: true, value };
}

const SUBSCRIBE = new Set(['opted_in', 'subscribed', 'unsubscribed']);

/** email_subscribe / push_subscribe: opted_in, subscribed or unsubscribed (any case). */
export function subscribeField(value: unknown): FieldCheck {
  if (value === null) return { ok: true, value };
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (SUBSCRIBE.has(text)) return { ok: true, value: text };
  return { ok: false, reason: `${show(value)} is not one of opted_in, subscribed, unsubscribed` };
}

let zones: Set<string> | undefined;

function isTimeZone(name: string): boolean {
  zones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (zones.has(name)) return true;
  // supportedValuesOf lists canonical zones only; UTC and Etc/* are valid IANA names too.
  if (name !== 'UTC' && !name.startsWith('Etc/')) return false;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** time_zone: an IANA time zone name. */
export function timeZoneField(value: unknown): FieldCheck {
  if (value === null) return { ok: true, value };
  if (typeof value === 'string' && isTimeZone(value)) return { ok: true, value };
  return { ok: false, reason: `${show(value)} is not an IANA time zone` };
}

/** language: an ISO-639-1 code, lower-cased. */
export function languageField(value: unknown): FieldCheck {
  if (value === null) return { ok: true, value };
  const code = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (LANGUAGE_CODES.has(code)) return { ok: true, value: code };
  return { ok: false, reason: `${show(value)} is not an ISO-639-1 language code` };
}

/** dob: any parseable date or time -> `YYYY-MM-DD` in UTC. */
export function dobField(value: unknown): FieldCheck {
  if (value === null) return { ok: true, value };
  const ms = parseTime(value);
  if (ms === undefined) return { ok: false, reason: `${show(value)} is not a date` };
  return { ok: true, value: formatTime(ms).slice(0, 10) };
}

/** country: ISO alpha-2 or an English country name -> the upper-case code. */
export function countryField(value: unknown): FieldCheck {
  if (value === null) return { ok: true, value };
  const code = typeof value === 'string' ? countryCode(value) : undefined;
  if (code !== undefined) return { ok: true, value: code };
  return { ok: false, reason: `${show(value)} is not an ISO-3166 country code or a known country name` };
}

const GENDERS: ReadonlyMap<string, string> = new Map([
  ['m', 'M'], ['male', 'M'], ['man', 'M'],
  ['f', 'F'], ['female', 'F'], ['woman', 'F'], ['w', 'F'],
  ['o', 'O'], ['other', 'O'],
  ['n', 'N'], ['not applicable', 'N'],
  ['p', 'P'], ['prefer not to say', 'P'],
]);

/** gender per preset: classic drops unknown values, actions passes them unchanged (mapping.md §3, §8). */
export function genderField(preset: Preset): FieldValidator {
  return (value) => {
    if (value === null) return { ok: true, value };
    const code = typeof value === 'string' ? GENDERS.get(value.trim().toLowerCase()) : undefined;
    if (code !== undefined) return { ok: true, value: code };
    if (preset === 'actions') return typeof value === 'string' ? textField(value) : { ok: true, value };
    return { ok: false, reason: `${show(value)} is not one of M, F, O, N, P or a spelling of them` };
  };
}
