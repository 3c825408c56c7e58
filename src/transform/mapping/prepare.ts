import { globSource } from '../glob.js';
import type { MappingRules, SubscriptionGroupRule, TraitValue } from './rules.js';

/**
 * A compiled mapping made ready for the per-record code, once per thread: globs as regular
 * expressions, renames and listed values as maps and sets. Kept per rules object (each planning
 * worker has its own copy of the rules), so the records of a run share one.
 */
export interface PreparedMapping {
  readonly rules: MappingRules;
  /** The file has trait rules (drop, rename, subscription groups): identifies are adapted. */
  readonly adaptsTraits: boolean;
  /** The file has event rules (rename, dropProperties, addProperties): events and purchases are adapted. */
  readonly adaptsObjects: boolean;
  /** The `attributes.drop` glob a trait name matches, if any. */
  readonly dropTrait: (name: string) => string | undefined;
  /** The `events.dropProperties` glob a property name matches, if any. */
  readonly dropProperty: (name: string) => string | undefined;
  readonly eventRename: ReadonlyMap<string, string>;
  readonly subscriptionGroups: readonly PreparedGroup[];
  /** Top-level trait names that renames and subscription groups read (and take away). */
  readonly movedTraits: ReadonlySet<string>;
  readonly tokenPath: readonly string[] | undefined;
  readonly deviceIdPath: readonly string[] | undefined;
}

export interface PreparedGroup {
  readonly rule: SubscriptionGroupRule;
  /** The trace reason of a listed value. */
  readonly reason: string;
  /** valueKey() of the listed values. */
  readonly subscribed: ReadonlySet<string>;
  readonly unsubscribed: ReadonlySet<string>;
}

const cache = new WeakMap<MappingRules, PreparedMapping>();

/** The prepared form of `rules` (made on first use in this thread). */
export function prepared(rules: MappingRules): PreparedMapping {
  let ready = cache.get(rules);
  if (ready === undefined) {
    ready = prepare(rules);
    cache.set(rules, ready);
  }
  return ready;
}

function prepare(rules: MappingRules): PreparedMapping {
  return {
    rules,
    adaptsTraits: rules.drop.length + rules.rename.length + rules.subscriptionGroups.length > 0,
    adaptsObjects: rules.eventRename.length + rules.dropProperties.length + rules.addProperties.length > 0,
    dropTrait: globMatcher(rules.drop),
    dropProperty: globMatcher(rules.dropProperties),
    eventRename: new Map(rules.eventRename),
    subscriptionGroups: rules.subscriptionGroups.map((rule) => ({
      rule,
      reason: `subscription group ${rule.groupId}, from the mapping file`,
      subscribed: new Set(rule.subscribed.map(valueKey)),
      unsubscribed: new Set(rule.unsubscribed.map(valueKey)),
    })),
    movedTraits: new Set([...rules.rename, ...rules.subscriptionGroups].filter((rule) => rule.path.length === 1).map((rule) => rule.from)),
    tokenPath: rules.pushTokens?.token.split('.'),
    deviceIdPath: rules.pushTokens?.deviceId.split('.'),
  };
}

/** How a listed value is compared: strings case-insensitively (mapping.md §10), the rest by type and value. */
export function valueKey(value: TraitValue): string {
  return typeof value === 'string' ? `s:${value.toLowerCase()}` : `${typeof value}:${String(value)}`;
}

/** Names whose glob decision is remembered (trait and property names repeat from message to message). */
const NAMES_CACHED = 4096;

/** The first glob (`*` = any characters, case-sensitive) a name matches; none for no globs. */
function globMatcher(globs: readonly string[]): (name: string) => string | undefined {
  if (globs.length === 0) return () => undefined;
  const tests = globs.map((glob) => [glob, new RegExp(`^${globSource(glob, 'star')}$`, 's')] as const);
  let seen = new Map<string, string | null>();
  return (name) => {
    let glob = seen.get(name);
    if (glob === undefined) {
      glob = tests.find(([, re]) => re.test(name))?.[0] ?? null;
      if (seen.size >= NAMES_CACHED) seen = new Map();
      seen.set(name, glob);
    }
    return glob ?? undefined;
  };
}

/** The value at a dot path of an object (undefined when a step is missing or not an object). */
export function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Trace texts made once per distinct part (a glob, a group, an event name): the dry-run diff looks
 * every trace up by its texts, and a string seen before costs far less than a fresh concatenation
 * (see paths.ts). Bounded: past TEXTS_CACHED parts of one kind, texts are made afresh.
 */
export class TraceTexts {
  readonly #made = new Map<string, string>();

  constructor(private readonly make: (part: string) => string) {}

  get(part: string): string {
    let text = this.#made.get(part);
    if (text === undefined) {
      text = this.make(part);
      if (this.#made.size < TEXTS_CACHED) this.#made.set(part, text);
    }
    return text;
  }
}

const TEXTS_CACHED = 1024;
