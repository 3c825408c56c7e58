import type { FieldTrace } from '../types.js';
import { MAX_PROPERTIES_BYTES, MAX_STRING } from '../limits.js';
import { cleanNested, needsCleaning } from '../attributes/nested-value.js';
import { dotted } from '../paths.js';
import { traceDropped, traceMappedKey } from '../trace.js';

/**
 * Names where a property key comes from, for traces: the prefix of its Segment path (`properties`,
 * `properties.products[2]`); undefined leaves that key untraced. An object with a method rather than
 * a function: a closure made for each purchase was compiled again and again by V8.
 */
export interface PropertyOrigin {
  prefix(key: string): string | undefined;
}

/** Every key comes from the message's `properties`. */
export const fromProperties: PropertyOrigin = { prefix: () => 'properties' };

/** Why Braze would reject a top-level event/purchase property key (mapping.md §4), or undefined. */
function topKeyRule(key: string): string | undefined {
  if (key === 'time' || key === 'event_name') return `Braze reserves event property "${key}"`;
  if (key.startsWith('$')) return 'keys starting with "$" are reserved by Braze';
  if (key.length > MAX_STRING) return `key longer than ${MAX_STRING} characters`;
  return undefined;
}

function nestedKeyRule(key: string): string | undefined {
  return key.startsWith('$') ? 'keys starting with "$" are reserved by Braze' : undefined;
}

/**
 * Event or purchase `properties` as Braze accepts them: reserved and over-long keys dropped, long
 * strings truncated, nested values kept. Returns undefined when nothing is left (no `properties` key).
 * `to` is the Braze path of the properties object, e.g. `events[0].properties`.
 */
export function cleanProperties(
  source: Readonly<Record<string, unknown>>,
  origin: PropertyOrigin,
  to: string,
  trace: FieldTrace[] | undefined,
): Record<string, unknown> | undefined {
  if (!needsCopy(source)) return sentAsIs(source, origin, to, trace);
  let out: Record<string, unknown> | undefined;
  for (const key in source) {
    const value = source[key];
    if (value === undefined) continue;
    const prefix = trace ? origin.prefix(key) : undefined;
    const keyTrace = prefix === undefined ? undefined : trace;
    const from = keyTrace ? dotted(prefix!, key) : '';
    const dropped = topKeyRule(key);
    if (dropped !== undefined) {
      keyTrace?.push(traceDropped(from, dropped));
      continue;
    }
    keyTrace?.push(traceMappedKey(prefix!, to, key));
    (out ??= {})[key] = cleanNested(value, nestedKeyRule, from, keyTrace ? dotted(to, key) : '', keyTrace);
  }
  return out;
}

/** Whether any key of the properties is dropped or any value changed (cleanProperties must copy). */
function needsCopy(source: Readonly<Record<string, unknown>>): boolean {
  for (const key in source) {
    const value = source[key];
    if (value === undefined || topKeyRule(key) !== undefined || needsCleaning(value, nestedKeyRule)) return true;
  }
  return false;
}

/**
 * Properties that need no change are sent as they are, not copied (nothing mutates them later):
 * what cleanProperties' loop would give, traces included, for most events and purchases.
 */
function sentAsIs(
  source: Readonly<Record<string, unknown>>,
  origin: PropertyOrigin,
  to: string,
  trace: FieldTrace[] | undefined,
): Record<string, unknown> | undefined {
  let any = false;
  for (const key in source) {
    any = true;
    const prefix = trace ? origin.prefix(key) : undefined;
    if (prefix !== undefined) trace!.push(traceMappedKey(prefix, to, key));
  }
  return any ? (source as Record<string, unknown>) : undefined;
}

/** Bytes of the UTF-8 JSON Braze measures against its 50 KB cap. */
export function propertiesBytes(properties: Readonly<Record<string, unknown>>): number {
  return Buffer.byteLength(JSON.stringify(properties), 'utf8');
}

/**
 * Whether properties parsed from a message of `sourceChars` JSON characters could reach the 50 KB cap
 * once serialised again. Re-serialising parsed JSON only shrinks it, except numbers written with an
 * exponent (`9e20` prints as 21 digits: at most ×5.25); a UTF-16 unit is at most 3 UTF-8 bytes. So
 * fewer than 50 KB / 16 source characters can never reach it. Undefined (unknown) means "could".
 */
export function propertiesCanExceed(sourceChars: number | undefined): boolean {
  return sourceChars === undefined || sourceChars * 16 > MAX_PROPERTIES_BYTES;
}

/** The rejection reason when properties exceed Braze's 50 KB cap (limit included), else undefined. */
export function propertiesTooLarge(properties: Readonly<Record<string, unknown>> | undefined, measure = true): string | undefined {
  if (properties === undefined || !measure) return undefined;
  const json = JSON.stringify(properties);
  // A UTF-16 unit is at most 3 UTF-8 bytes: short JSON cannot be over the cap, so skip counting.
  if (json.length * 3 <= MAX_PROPERTIES_BYTES) return undefined;
  const bytes = Buffer.byteLength(json, 'utf8');
  return bytes > MAX_PROPERTIES_BYTES ? `properties are ${bytes} bytes, over Braze's ${MAX_PROPERTIES_BYTES}-byte limit` : undefined;
}
