import { attributeKeyRule } from '../../transform/attributes/custom-attributes.js';
import { MAX_STRING } from '../../transform/limits.js';
import {
  DEFAULT_DEVICE_ID_PATH, DEFAULT_IDENTIFIERS, DEFAULT_TOKEN_PATH,
  type IdentifierRule, type MappingRules, type RenameRule, type SubscriptionGroupRule,
} from '../../transform/mapping/rules.js';
import { valueKey } from '../../transform/mapping/prepare.js';
import type { MappingDocument } from './schema.js';
import { nearestKey } from './nearest.js';

/** A rule Braze would refuse, or one that cannot mean anything: the place and why. */
export class RuleProblem {
  constructor(
    readonly place: string,
    readonly message: string,
  ) {}
}

/** Keys the mapping itself writes on an attributes object: a rename may not target them. */
const WRITTEN_BY_RULES: ReadonlySet<string> = new Set(['subscription_groups', 'push_tokens']);

/** A dot path with at least two non-empty parts and no spaces (`traits.customer_id`). */
const DOT_PATH = /^[^.\s]+(\.[^.\s]+)+$/;

/**
 * The document, shape-checked by the schema, compiled into MappingRules (mapping.md §10). Throws a
 * RuleProblem for the first rule that cannot be used.
 */
export function compileMapping(doc: MappingDocument, file: string, sha256: string): MappingRules {
  const attributes = doc.attributes ?? {};
  const events = doc.events ?? {};
  return {
    file,
    sha256,
    identifiers: doc.identifiers === undefined ? DEFAULT_IDENTIFIERS : doc.identifiers.map(identifierRule),
    rename: Object.entries(attributes.rename ?? {}).map(([from, to]) => renameRule(from, to)),
    drop: attributes.drop ?? [],
    subscriptionGroups: (attributes.subscriptionGroups ?? []).map(subscriptionGroupRule),
    pushTokens: doc.pushTokens && {
      appId: doc.pushTokens.appId,
      token: pathText(doc.pushTokens.token ?? DEFAULT_TOKEN_PATH, 'pushTokens.token'),
      deviceId: pathText(doc.pushTokens.deviceId ?? DEFAULT_DEVICE_ID_PATH, 'pushTokens.deviceId'),
    },
    eventRename: Object.entries(events.rename ?? {}).map(([from, to]) => [from, eventName(from, to)] as const),
    dropProperties: events.dropProperties ?? [],
    addProperties: Object.entries(events.addProperties ?? {}).map(([key, value]) => [propertyKey(key), value] as const),
  };
}

function identifierRule(entry: string, i: number): IdentifierRule {
  if (entry === 'userId') return DEFAULT_IDENTIFIERS[0]!;
  if (entry === 'email') return { kind: 'email', name: 'email' };
  if (entry === 'phone') return { kind: 'phone', name: 'phone' };
  if (DOT_PATH.test(entry)) return { kind: 'path', name: entry, path: entry.split('.') };
  const near = nearestKey(entry, ['userId', 'email', 'phone']);
  throw new RuleProblem(`identifiers[${i}]`, `${JSON.stringify(entry)} is neither userId, email, phone nor a dot path such as traits.customer_id${near ? ` (did you mean "${near}"?)` : ''}`);
}

function renameRule(from: string, to: string): RenameRule {
  const place = `attributes.rename[${JSON.stringify(from)}]`;
  if (from === '' || from.split('.').some((part) => part === '')) throw new RuleProblem(place, 'is not a trait name or a dot path inside traits');
  const refused = attributeKeyRule(to) ?? (WRITTEN_BY_RULES.has(to) ? `"${to}" is written by the mapping's own rules` : undefined);
  if (refused !== undefined) throw new RuleProblem(place, `Braze would refuse the target ${JSON.stringify(to.length > 40 ? `${to.slice(0, 40)}…` : to)}: ${refused}`);
  return { from, path: from.split('.'), to };
}

function subscriptionGroupRule(group: NonNullable<NonNullable<MappingDocument['attributes']>['subscriptionGroups']>[number], i: number): SubscriptionGroupRule {
  const subscribed = group.subscribed ?? [true];
  const unsubscribed = group.unsubscribed ?? [false];
  const listed = new Set(subscribed.map(valueKey));
  const both = unsubscribed.find((value) => listed.has(valueKey(value)));
  if (both !== undefined) throw new RuleProblem(`attributes.subscriptionGroups[${i}]`, `${JSON.stringify(both)} is listed both as subscribed and as unsubscribed`);
  return { from: group.from, path: pathText(group.from, `attributes.subscriptionGroups[${i}].from`).split('.'), groupId: group.groupId, subscribed, unsubscribed };
}

function pathText(path: string, place: string): string {
  if (path.split('.').some((part) => part === '')) throw new RuleProblem(place, `${JSON.stringify(path)} is not a dot path`);
  return path;
}

function eventName(from: string, to: string): string {
  if (to.length > MAX_STRING) throw new RuleProblem(`events.rename[${JSON.stringify(from)}]`, `Braze would refuse the new name: longer than ${MAX_STRING} characters`);
  return to;
}

/** The top-level property keys Braze refuses (mapping.md §4). */
function propertyKey(key: string): string {
  const place = `events.addProperties[${JSON.stringify(key)}]`;
  if (key === '' || key === 'time' || key === 'event_name') throw new RuleProblem(place, `Braze would refuse the property key ${JSON.stringify(key)}`);
  if (key.startsWith('$')) throw new RuleProblem(place, 'Braze would refuse the property key: keys starting with "$" are reserved');
  if (key.length > MAX_STRING) throw new RuleProblem(place, `Braze would refuse the property key: longer than ${MAX_STRING} characters`);
  return key;
}
