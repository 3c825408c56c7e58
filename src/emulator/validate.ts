/**
 * Braze's request validation and answer bodies for the emulator (reference-braze-and-segment.md
 * §A.3–A.8, §B.1). Pure: server.ts does the I/O.
 */

import { contactIdentifierError, profileFieldError } from './profile-fields.js';

/** Object limits per users/track request (§A.3): 75 in total, 75 per array (legacy), 50 in total (MAU). */
export type LimitMode = 'combined-75' | 'per-array-75' | 'combined-50';

/** The users/track arrays, in Braze's processing order. */
export const TRACK_ARRAYS = ['attributes', 'events', 'purchases'] as const;
export type TrackArray = (typeof TRACK_ARRAYS)[number];

/** One errors[] entry of a users/track answer. */
export interface ObjectError {
  readonly type: string;
  readonly input_array: TrackArray;
  readonly index: number;
}

/** An HTTP answer; `accepted` lists what Braze would have queued (the --record lines). */
export interface Answer<T> {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly accepted: T[];
}

/** A users/track object that passed validation. */
export interface AcceptedObject {
  readonly array: TrackArray;
  readonly object: Record<string, unknown>;
}

/** A users/delete identifier, as sent (a string, or an alias/email/phone object). */
export interface DeletedId {
  readonly array: string;
  readonly id: unknown;
}

const DELETE_ARRAYS = ['external_ids', 'braze_ids', 'user_aliases', 'email_addresses', 'phone_numbers'] as const;
const MAX_DELETE_IDS = 50;
/** Dummy IDs Braze refuses (§A.5). */
const BLACKLIST = new Set(['undefined', 'null', 'none', 'nil', 'n/a', '0', '-1', 'anonymous', 'guest']);
const RESERVED_PROPERTIES = new Set(['time', 'event_name']);
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const IDENTIFIERS = ['external_id', 'braze_id', 'email', 'phone'] as const;

/** Answers a users/track body (raw text). `poison` external_ids fail the whole request (fault injection). */
export function answerTrack(text: string, mode: LimitMode, poison: ReadonlySet<string>): Answer<AcceptedObject> {
  const body = parseObject(text);
  if (body === undefined) return fatal('Invalid JSON in request body');
  const arrays = new Map<TrackArray, unknown[]>();
  for (const name of TRACK_ARRAYS) {
    const value = body[name];
    if (value === undefined) continue;
    if (!Array.isArray(value)) return fatal(`'${name}' must be an array`);
    arrays.set(name, value);
  }
  if (overLimit(arrays, mode)) return fatal('Max Input Length Exceeded');
  const poisoned = poison.size === 0 ? undefined : [...arrays.values()].flat().find((o) => isRecord(o) && typeof o.external_id === 'string' && poison.has(o.external_id));
  if (isRecord(poisoned)) return fatal(`Bad request: external_id ${String(poisoned.external_id)} is poisoned (emulator fault injection)`);
  return trackResult(arrays);
}

function trackResult(arrays: ReadonlyMap<TrackArray, unknown[]>): Answer<AcceptedObject> {
  const accepted: AcceptedObject[] = [];
  const errors: ObjectError[] = [];
  const body: Record<string, unknown> = { message: 'success' };
  for (const [array, objects] of arrays) {
    let processed = 0;
    objects.forEach((object, index) => {
      const type = objectError(array, object);
      if (type !== undefined) errors.push({ type, input_array: array, index });
      else if (isRecord(object)) {
        accepted.push({ array, object });
        processed++;
      }
    });
    body[`${array}_processed`] = processed;
  }
  if (accepted.length === 0) {
    const message = errors.length === 0 ? 'Request must contain attributes, events or purchases' : 'No valid objects in request';
    return { status: 400, body: { message, errors }, accepted };
  }
  if (errors.length > 0) body.errors = errors;
  return { status: 201, body, accepted };
}

function overLimit(arrays: ReadonlyMap<TrackArray, unknown[]>, mode: LimitMode): boolean {
  const sizes = [...arrays.values()].map((a) => a.length);
  const total = sizes.reduce((sum, n) => sum + n, 0);
  if (mode === 'per-array-75') return sizes.some((n) => n > 75);
  return total > (mode === 'combined-50' ? 50 : 75);
}

/** The first problem with one object, as Braze's errors[].type, or undefined when it is valid. */
export function objectError(array: TrackArray, object: unknown): string | undefined {
  if (!isRecord(object)) return `${array} entries must be JSON objects`;
  const identity = identifierError(object);
  if (identity !== undefined) return identity;
  if (array === 'attributes') return attributesError(object);
  if (array === 'events') return eventError(object);
  return purchaseError(object);
}

function identifierError(object: Record<string, unknown>): string | undefined {
  const externalId = object.external_id;
  if (externalId !== undefined && typeof externalId !== 'string') return 'external_id must be a string';
  if (typeof externalId === 'string' && BLACKLIST.has(externalId.trim().toLowerCase())) {
    return 'provided external_id is blacklisted and disallowed';
  }
  const alias = object.user_alias;
  const hasAlias = isRecord(alias) && typeof alias.alias_name === 'string' && typeof alias.alias_label === 'string';
  if (hasAlias || IDENTIFIERS.some((key) => typeof object[key] === 'string' && object[key] !== '')) return contactIdentifierError(object);
  return "'external_id' or 'braze_id' or 'user_alias' or 'email' or 'phone' is required";
}

function attributesError(object: Record<string, unknown>): string | undefined {
  for (const [key, value] of Object.entries(object)) {
    const problem = keyError(key, 'Attribute') ?? profileFieldError(key, value) ?? stringError(key, value);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function eventError(object: Record<string, unknown>): string | undefined {
  if (typeof object.name !== 'string' || object.name === '') return 'Event name must be a non-empty string';
  if (!isTime(object.time)) return 'Invalid time, must be an ISO-8601 date string';
  return propertiesError(object.properties, 100 * 1024);
}

function purchaseError(object: Record<string, unknown>): string | undefined {
  const productId = object.product_id;
  if (typeof productId !== 'string' || productId === '' || productId.length > 255) return 'product_id must be a string of 1 to 255 characters';
  if (typeof object.currency !== 'string' || !CURRENCIES.has(object.currency)) return 'Invalid currency, must be an ISO 4217 code';
  if (typeof object.price !== 'number' || !Number.isFinite(object.price)) return 'Invalid price, must be a number';
  const quantity = object.quantity;
  if (quantity !== undefined && !(Number.isInteger(quantity) && Number(quantity) >= 1 && Number(quantity) <= 100)) {
    return 'Invalid quantity, must be an integer from 1 to 100';
  }
  if (!isTime(object.time)) return 'Invalid time, must be an ISO-8601 date string';
  return propertiesError(object.properties, 50 * 1024);
}

function propertiesError(properties: unknown, maxBytes: number): string | undefined {
  if (properties === undefined) return undefined;
  if (!isRecord(properties)) return 'properties must be a JSON object';
  for (const [key, value] of Object.entries(properties)) {
    if (RESERVED_PROPERTIES.has(key)) return `Property name '${key}' is reserved`;
    const problem = keyError(key, 'Property') ?? stringError(key, value);
    if (problem !== undefined) return problem;
  }
  if (fitsIn(properties, maxBytes) < 0 && Buffer.byteLength(JSON.stringify(properties)) > maxBytes) return `properties exceed ${maxBytes / 1024} KB`;
  return undefined;
}

/**
 * What is left of `budget` bytes after an upper bound of the value's UTF-8 JSON size, or a negative
 * number once it is spent (then only serialising tells). Cheap: string lengths are read, not scanned
 * (a UTF-16 unit is at most 6 bytes, as a `\u` escape), a number is at most 24 characters.
 */
function fitsIn(value: unknown, budget: number): number {
  if (typeof value === 'string') return budget - 6 * value.length - 2;
  if (typeof value !== 'object' || value === null) return budget - 24;
  if (Array.isArray(value)) {
    let left = budget - 2;
    for (let i = 0; i < value.length && left >= 0; i++) left = fitsIn(value[i], left - 1);
    return left;
  }
  let left = budget - 2;
  for (const key in value) {
    left = fitsIn((value as Record<string, unknown>)[key], left - 6 * key.length - 4);
    if (left < 0) return left;
  }
  return left;
}

function keyError(key: string, what: string): string | undefined {
  if (key === '' || key.length > 255) return `${what} name must be 1 to 255 characters`;
  if (key.startsWith('$')) return `${what} name '${key}' must not begin with $`;
  return undefined;
}

function stringError(key: string, value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 255 ? `Value of '${key}' is longer than 255 characters` : undefined;
}

/** ISO-8601, or Braze's `yyyy-MM-ddTHH:mm:ss:SSSZ` (a colon before the milliseconds). */
function isTime(value: unknown): boolean {
  if (typeof value !== 'string' || value === '') return false;
  const text = value.charCodeAt(19) === 58 /* : */ ? value.replace(/(T\d{2}:\d{2}:\d{2}):(\d{3})/, '$1.$2') : value;
  return !Number.isNaN(Date.parse(text));
}

/** Answers a users/delete body (raw text); mixed identifier types count together against 50 (§B.1). */
export function answerDelete(text: string, poison: ReadonlySet<string>): Answer<DeletedId> {
  const body = parseObject(text);
  if (body === undefined) return fatal('Invalid JSON in request body');
  const ids: DeletedId[] = [];
  for (const array of DELETE_ARRAYS) {
    const value = body[array];
    if (value === undefined) continue;
    if (!Array.isArray(value)) return fatal(`'${array}' must be an array`);
    for (const [index, id] of value.entries()) {
      if (!validDeleteId(array, id)) return fatal(`Invalid entry in '${array}' at index ${index}`);
      ids.push({ array, id });
    }
  }
  if (ids.length > MAX_DELETE_IDS) return fatal('The max number of external_ids and aliases per request was exceeded');
  if (ids.length === 0) return fatal('Request must contain external_ids, braze_ids, user_aliases, email_addresses or phone_numbers');
  const poisoned = ids.find((d) => d.array === 'external_ids' && poison.has(String(d.id)));
  if (poisoned !== undefined) return fatal(`Bad request: external_id ${String(poisoned.id)} is poisoned (emulator fault injection)`);
  return { status: 201, body: { deleted: ids.length, message: 'success' }, accepted: ids };
}

function validDeleteId(array: (typeof DELETE_ARRAYS)[number], id: unknown): boolean {
  if (array === 'external_ids' || array === 'braze_ids') return typeof id === 'string' && id !== '';
  if (!isRecord(id)) return false;
  if (array === 'user_aliases') return typeof id.alias_name === 'string' && typeof id.alias_label === 'string';
  const key = array === 'email_addresses' ? 'email' : 'phone';
  return typeof id[key] === 'string' && Array.isArray(id.prioritization) && id.prioritization.length > 0;
}

function fatal<T>(message: string): Answer<T> {
  return { status: 400, body: { message, errors: [] }, accepted: [] };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
