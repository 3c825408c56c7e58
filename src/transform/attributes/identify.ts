import type { BrazeObject, Preset, SegmentMessage } from '../types.js';
import type { MapContext } from '../context.js';
import type { FieldValidator } from './standard-fields.js';
import { brazeObject, objectHead } from '../context.js';
import { attributeKeyRule, writeCustomAttribute } from './custom-attributes.js';
import { isRecord } from '../limits.js';
import { dotted } from '../paths.js';
import {
  countryField, dobField, genderField, languageField, subscribeField, textField, timeZoneField,
} from './standard-fields.js';
import { traceChanged, traceDropped, traceMapped } from '../trace.js';
import { adaptTraits, traceRenames } from '../mapping/traits.js';

/**
 * Where a standard attribute may come from. `label` names it in "duplicate of …" reasons. A top-level
 * trait is read from the traits found (see identifyAttributes) and is used up: not sent again as a
 * custom attribute; anything else is read through `get`.
 */
type Source =
  | { readonly from: string; readonly label: string; readonly key: string }
  | { readonly from: string; readonly label: string; readonly key?: undefined; readonly get: (traits: Record<string, unknown>, msg: SegmentMessage) => unknown };

/** One Braze standard attribute: its candidate sources, best first, and its validator. */
interface StandardField {
  readonly to: string;
  /** `attributes.<to>`, the trace path. */
  readonly path: string;
  readonly sources: readonly Source[];
  readonly validate: FieldValidator;
}

const trait = (key: string): Source => ({ from: `traits.${key}`, label: key, key });

const addressPart = (key: string): Source => ({
  from: `traits.address.${key}`,
  label: `address.${key}`,
  get: (t) => (isRecord(t['address']) ? t['address'][key] : undefined),
});

const location = (key: string): Source => ({
  from: `context.location.${key}`,
  label: `context.location.${key}`,
  get: (_, msg) => locationOf(msg)?.[key],
});

function locationOf(msg: SegmentMessage): Record<string, unknown> | undefined {
  const context = msg['context'];
  return isRecord(context) && isRecord(context['location']) ? context['location'] : undefined;
}

/**
 * The standard attributes per preset (mapping.md §3, §8). When several sources are given the first
 * valid one wins: the Segment spec name (camelCase `firstName`, `avatar`, `address.city`) before
 * the Braze name used as a trait (`first_name`, `image_url`, `home_city`); the other is traced as a duplicate.
 */
function standardFields(preset: Preset): readonly StandardField[] {
  const classic = preset === 'classic';
  const field = (to: string, sources: Source[], validate: FieldValidator): StandardField => ({ to, path: `attributes.${to}`, sources, validate });
  return [
    field('first_name', [trait('firstName'), trait('first_name')], textField),
    field('last_name', [trait('lastName'), trait('last_name')], textField),
    field('email', [trait('email')], textField),
    field('phone', [trait('phone')], textField),
    field('image_url', [trait('avatar'), trait('image_url')], textField),
    // actions: `birthday` stays a custom attribute (Segment's Actions destination has no default dob).
    field('dob', classic ? [trait('birthday'), trait('dob')] : [trait('dob')], dobField),
    field('gender', [trait('gender')], genderField(preset)),
    field('home_city', [addressPart('city'), trait('home_city')], textField),
    field('country', [classic ? addressPart('country') : location('country'), trait('country')], countryField),
    field('email_subscribe', [trait('email_subscribe')], subscribeField),
    field('push_subscribe', [trait('push_subscribe')], subscribeField),
    field('time_zone', [trait('time_zone')], timeZoneField),
    field('language', [trait('language')], languageField),
  ];
}

const FIELDS: Readonly<Record<Preset, readonly StandardField[]>> = {
  classic: standardFields('classic'),
  actions: standardFields('actions'),
};

/** Trait keys not sent as custom attributes. classic also uses `name`, `id` and an object `address`. */
const CONSUMED: Readonly<Record<Preset, ReadonlySet<string>>> = {
  classic: new Set([...traitKeys(FIELDS.classic), 'name', 'id']),
  actions: new Set(traitKeys(FIELDS.actions)),
};

/** The top-level trait keys the fields read. */
function traitKeys(fields: readonly StandardField[]): string[] {
  return fields.flatMap((f) => f.sources.flatMap((s) => (s.key === undefined ? [] : [s.key])));
}

/** Top-level trait keys a standard attribute reads, in either preset. */
const STANDARD_TRAITS: ReadonlySet<string> = new Set([...traitKeys(FIELDS.classic), ...traitKeys(FIELDS.actions)]);

/**
 * The standard traits a message has, found in one pass over its trait keys (reused from message to
 * message: mapping is synchronous). Asking the traits object for each of the ~20 keys instead, most of
 * them absent, was the costliest step of mapping an identify: objects of many shapes, many names.
 */
const found = new Map<string, unknown>();

/**
 * identify -> one attributes object (mapping.md §3, §8). Returns undefined when the traits give no
 * attribute at all: the record is then skipped `notMapped`.
 */
export function identifyAttributes(ctx: MapContext): BrazeObject | undefined {
  const { msg, settings, trace } = ctx;
  const raw = msg['traits'];
  if (raw !== undefined && raw !== null && !isRecord(raw)) trace?.push(traceDropped('traits', 'traits is not an object'));
  const given = isRecord(raw) ? raw : {};
  // The mapping file's drops, subscription groups and renames come first (mapping.md §10).
  const adapted = ctx.mapping?.adaptsTraits ? adaptTraits(given, ctx.mapping, trace) : undefined;
  const traits = adapted ? adapted.traits : given;
  const mark = trace?.length ?? 0;
  const body = objectHead(ctx, 'attributes');
  const classic = settings.preset === 'classic';
  found.clear();
  for (const key in traits) if (STANDARD_TRAITS.has(key)) found.set(key, traits[key]);
  if (classic) splitName(ctx, traits, body);
  for (const field of FIELDS[settings.preset]) writeStandard(ctx, field, traits, body);
  if (!classic) writeLocation(ctx, body);
  if (classic) writeAddressRest(ctx, traits, body);
  writeCustom(ctx, traits, body);
  if (adapted) {
    if (adapted.groups.length > 0) body['subscription_groups'] = adapted.groups;
    if (trace) traceRenames(trace, mark, adapted.renamed, body);
  }
  if (Object.keys(body).length === 1) return undefined;
  return brazeObject(ctx, 'attributes', body);
}

function writeStandard(ctx: MapContext, field: StandardField, traits: Record<string, unknown>, body: Record<string, unknown>): void {
  const { trace } = ctx;
  let winner: string | undefined;
  for (const source of field.sources) {
    const value = source.key !== undefined ? found.get(source.key) : source.get(traits, ctx.msg);
    if (value === undefined) continue;
    if (winner !== undefined) {
      trace?.push(traceDropped(source.from, `duplicate of ${winner}`));
      continue;
    }
    const check = field.validate(value);
    if (!check.ok) {
      trace?.push(traceDropped(source.from, `${field.to}: ${check.reason}`));
      continue;
    }
    winner = source.label;
    body[field.to] = check.value;
    if (trace === undefined) continue;
    const to = field.path;
    if (check.reason !== undefined) trace.push(traceChanged(source.from, to, check.reason, check.value));
    else trace.push(traceMapped(source.from, to, check.value !== value ? check.value : undefined));
  }
}

/** classic: `name` gives first_name/last_name only when neither is given, split at the first space. */
function splitName(ctx: MapContext, traits: Record<string, unknown>, body: Record<string, unknown>): void {
  const name = traits['name'];
  if (name === undefined) return;
  const { trace } = ctx;
  const named = traits['firstName'] !== undefined || traits['first_name'] !== undefined || traits['lastName'] !== undefined || traits['last_name'] !== undefined;
  if (named) return void trace?.push(traceDropped('traits.name', 'first or last name given; name is not sent'));
  if (typeof name !== 'string' || name.trim() === '') return void trace?.push(traceDropped('traits.name', 'name is not a non-empty string'));
  const text = name.trim();
  const space = text.indexOf(' ');
  // Plain calls, not callbacks made at each call (V8 compiled those again and again).
  namePart(ctx, body, 'first_name', space < 0 ? text : text.slice(0, space));
  if (space >= 0) namePart(ctx, body, 'last_name', text.slice(space + 1).trim());
}

function namePart(ctx: MapContext, body: Record<string, unknown>, to: 'first_name' | 'last_name', part: string): void {
  if (part === '') return;
  const check = textField(part);
  if (!check.ok) return;
  body[to] = check.value;
  ctx.trace?.push(traceChanged('traits.name', dotted('attributes', to), check.reason ?? 'name split at the first space', check.value));
}

/** actions: `current_location` from context.location latitude/longitude (both needed). */
function writeLocation(ctx: MapContext, body: Record<string, unknown>): void {
  const loc = locationOf(ctx.msg);
  const latitude = loc?.['latitude'];
  const longitude = loc?.['longitude'];
  if ((latitude === undefined || latitude === null) && (longitude === undefined || longitude === null)) return;
  const ok = typeof latitude === 'number' && typeof longitude === 'number' && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
  if (!ok) return void ctx.trace?.push(traceDropped('context.location', 'current_location needs numeric latitude and longitude'));
  body['current_location'] = { latitude, longitude };
  ctx.trace?.push(traceMapped('context.location', 'attributes.current_location', body['current_location']));
}

/** classic: the keys of `address` other than city and country become the nested `address` attribute. */
function writeAddressRest(ctx: MapContext, traits: Record<string, unknown>, body: Record<string, unknown>): void {
  const address = traits['address'];
  if (!isRecord(address)) return;
  const { city: _city, country: _country, ...rest } = address;
  if (Object.keys(rest).length === 0) return;
  writeCustomAttribute(body, 'address', rest, ctx.trace);
}

/** Every other trait is a custom attribute of the same name. */
function writeCustom(ctx: MapContext, traits: Record<string, unknown>, body: Record<string, unknown>): void {
  const { trace } = ctx;
  const preset = ctx.settings.preset;
  const consumed = CONSUMED[preset];
  for (const key in traits) {
    if (consumed.has(key)) {
      if (key === 'id' && trace) trace.push(traceDropped('traits.id', 'id repeats userId'));
      continue;
    }
    if (key === 'address' && preset === 'classic' && isRecord(traits[key])) continue;
    const dropped = attributeKeyRule(key);
    if (dropped !== undefined) {
      trace?.push(traceDropped(dotted('traits', key), dropped));
      continue;
    }
    writeCustomAttribute(body, key, traits[key], trace);
  }
}
