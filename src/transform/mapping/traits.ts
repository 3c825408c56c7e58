import type { FieldTrace } from '../types.js';
import { isRecord } from '../limits.js';
import { traceChanged, traceDropped } from '../trace.js';
import { dotted } from '../paths.js';
import { TraceTexts, valueAt, valueKey, type PreparedGroup, type PreparedMapping } from './prepare.js';

/** An identify's traits as the mapping file adapts them before the preset maps them (mapping.md §10). */
export interface AdaptedTraits {
  readonly traits: Record<string, unknown>;
  /** `subscription_groups` entries for the attributes object (none: absent). */
  readonly groups: readonly SubscriptionEntry[];
  /** Renamed targets -> their trait path, for rewriting the traces of the preset's mapping. */
  readonly renamed: ReadonlyMap<string, string>;
}

export interface SubscriptionEntry {
  readonly subscription_group_id: string;
  readonly subscription_state: 'subscribed' | 'unsubscribed';
}

const FILE = 'the mapping file';
const DROPPED = new TraceTexts((glob) => `dropped by ${FILE} (attributes.drop "${glob}")`);
const RENAMED = `renamed by ${FILE}`;
/** The traits set aside by adaptTraits (reused: mapping is synchronous). */
const moved = new Map<string, unknown>();

/** The value a rule reads: set aside when top-level, else inside the copy. */
function read(traits: Record<string, unknown>, path: readonly string[]): unknown {
  return path.length === 1 ? moved.get(path[0]!) : valueAt(traits, path);
}

/** Takes a value a rule used away from the traits (a later rule does not see it). */
function take(traits: Record<string, unknown>, path: readonly string[]): void {
  if (path.length === 1) moved.delete(path[0]!);
  else removeAt(traits, path);
}

const GROUP_PATHS = Array.from({ length: 16 }, (_, i) => `attributes.subscription_groups[${i}]`);

/**
 * Drops, subscription groups, then renames, on a copy (the message itself is left as read): what is
 * left is mapped by the preset's rules, so a rename to a standard name gets that field's rules.
 */
export function adaptTraits(source: Record<string, unknown>, mapping: PreparedMapping, trace: FieldTrace[] | undefined): AdaptedTraits {
  const traits: Record<string, unknown> = {};
  moved.clear();
  // Top-level traits that the rules move are set aside, not copied and deleted: deleting a key makes
  // the copy a slow dictionary object for the rest of the mapping.
  for (const key in source) {
    const glob = mapping.dropTrait(key);
    if (glob !== undefined) trace?.push(traceDropped(dotted('traits', key), DROPPED.get(glob)));
    else if (mapping.movedTraits.has(key)) moved.set(key, source[key]);
    else traits[key] = source[key];
  }
  let groups: SubscriptionEntry[] = NONE;
  for (const group of mapping.subscriptionGroups) groups = subscription(traits, group, groups, trace);
  return { traits, groups, renamed: rename(traits, mapping, trace) };
}

/** Renames: every value is read first, so that renames may swap names. */
function rename(traits: Record<string, unknown>, mapping: PreparedMapping, trace: FieldTrace[] | undefined): ReadonlyMap<string, string> {
  const { rename: rules } = mapping.rules;
  let values: unknown[] | undefined;
  for (let i = 0; i < rules.length; i++) {
    const value = read(traits, rules[i]!.path);
    if (value === undefined) continue;
    (values ??= new Array<unknown>(rules.length))[i] = value;
  }
  if (values === undefined) return NO_RENAMES;
  const renamed = new Map<string, string>();
  for (let i = 0; i < rules.length; i++) if (values[i] !== undefined) take(traits, rules[i]!.path);
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (values[i] === undefined) continue;
    if (traits[rule.to] !== undefined) trace?.push(traceDropped(`traits.${rule.to}`, `replaced by traits.${rule.from}, renamed by ${FILE}`));
    traits[rule.to] = values[i];
    renamed.set(rule.to, rule.from);
  }
  return renamed;
}

/** A trait listed as a subscription group: its entry, or why its value is dropped. The trait itself is not sent. */
function subscription(traits: Record<string, unknown>, group: PreparedGroup, out: SubscriptionEntry[], trace: FieldTrace[] | undefined): SubscriptionEntry[] {
  const { rule } = group;
  const value = read(traits, rule.path);
  if (value === undefined) return out;
  take(traits, rule.path);
  const from = dotted('traits', rule.from);
  const key = value === null || typeof value !== 'object' ? valueKey(value as string | number | boolean | null) : undefined;
  const state = key === undefined ? undefined : group.subscribed.has(key) ? 'subscribed' : group.unsubscribed.has(key) ? 'unsubscribed' : undefined;
  if (state === undefined) {
    trace?.push(traceDropped(from, `${JSON.stringify(value)} is listed neither as subscribed nor as unsubscribed for subscription group ${rule.groupId} in ${FILE}`));
    return out;
  }
  trace?.push(traceChanged(from, GROUP_PATHS[out.length] ?? `attributes.subscription_groups[${out.length}]`, group.reason, state));
  const entries = out === NONE ? [] : out;
  entries.push({ subscription_group_id: rule.groupId, subscription_state: state });
  return entries;
}

const NONE: SubscriptionEntry[] = [];
const NO_RENAMES: ReadonlyMap<string, string> = new Map();

/** Removes the value at a dot path, copying the objects on the way (they belong to the message). */
function removeAt(traits: Record<string, unknown>, path: readonly string[]): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    delete traits[head];
    return;
  }
  const child = traits[head];
  if (!isRecord(child)) return;
  const copy = { ...child };
  removeAt(copy, rest);
  traits[head] = copy;
}

/**
 * The preset's traces of renamed traits, from `traits.<target>` back to the trait the file renamed,
 * each saying so: `traits.given_name -> attributes.first_name: renamed by the mapping file`.
 */
export function traceRenames(trace: FieldTrace[], from: number, renamed: ReadonlyMap<string, string>, body: Readonly<Record<string, unknown>>): void {
  if (renamed.size === 0) return;
  for (let i = from; i < trace.length; i++) {
    const t = trace[i]!;
    if (!t.from.startsWith('traits.')) continue;
    const rest = t.from.slice('traits.'.length);
    const dot = rest.indexOf('.');
    const name = dot < 0 ? rest : rest.slice(0, dot);
    const original = renamed.get(name);
    if (original === undefined || t.reason?.startsWith('replaced by')) continue;
    const source = dot < 0 ? dotted('traits', original) : `traits.${original}${rest.slice(dot)}`;
    const why = RENAMED;
    if (t.action === 'dropped') trace[i] = traceDropped(source, `${t.reason} (${why})`);
    else trace[i] = traceChanged(source, t.to!, t.reason === undefined ? why : `${t.reason}; ${why}`, t.value ?? body[t.to!.slice('attributes.'.length)]);
  }
}
