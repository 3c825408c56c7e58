import type { BrazeObject } from './types.js';
import { isRecord } from './limits.js';

/** Attribute keys that cost no data point: identifiers, options and subscription fields (mapping.md §9). */
const FREE_KEYS: ReadonlySet<string> = new Set([
  'external_id', 'user_alias', 'braze_id', 'app_id', '_update_existing_only',
  'email_subscribe', 'push_subscribe', 'subscription_groups', 'push_tokens',
]);

/** Standard attributes whose value is an object but count once. */
const WHOLE_KEYS: ReadonlySet<string> = new Set(['current_location']);

/**
 * Braze data points of one object (mapping.md §9): per attribute key set, each leaf of a nested
 * object counting; per event or purchase 1 plus 1 per top-level property.
 */
export function dataPoints(object: BrazeObject): number {
  const { body } = object;
  if (object.kind !== 'attributes') {
    const props = body['properties'];
    let points = 1;
    if (isRecord(props)) for (const _ in props) points++;
    return points;
  }
  let points = 0;
  for (const key in body) points += attributePoints(key, body[key]);
  // An email or phone that identifies the object (no external_id) is an identifier, not an attribute.
  const contact = contactIdentifier(body);
  return contact === undefined ? points : points - attributePoints(contact, body[contact]);
}

/** Data points of one attribute key set to `value` (0 for identifiers, options and subscriptions). */
export function attributePoints(key: string, value: unknown): number {
  return pointsBy(keyPoints(key), value);
}

/** Data points of a value set under a key whose rule is `rule` (keyPoints). */
export function pointsBy(rule: KeyPoints, value: unknown): number {
  return rule === 'free' ? 0 : rule === 'whole' ? 1 : leaves(value);
}

/** How a key's value is counted: 'free' (no point), 'whole' (one), 'leaves' (each leaf of its value). */
export type KeyPoints = 'free' | 'whole' | 'leaves';

export function keyPoints(key: string): KeyPoints {
  if (FREE_KEYS.has(key)) return 'free';
  return WHOLE_KEYS.has(key) ? 'whole' : 'leaves';
}

/** Leaves of a nested object; any other value (arrays included) is one. An empty object sets one key. */
function leaves(value: unknown): number {
  if (!isRecord(value)) return 1;
  let count = 0;
  for (const key in value) count += leaves(value[key]);
  return Math.max(count, 1);
}

/**
 * The email or phone key that identifies an attributes object made with a mapping file's email or phone
 * identifier (no external_id, user_alias or braze_id; email first, as Braze reads it), if any.
 */
export function contactIdentifier(body: Readonly<Record<string, unknown>>): 'email' | 'phone' | undefined {
  if (body['external_id'] !== undefined || body['user_alias'] !== undefined || body['braze_id'] !== undefined) return undefined;
  if (body['email'] !== undefined) return 'email';
  return body['phone'] !== undefined ? 'phone' : undefined;
}
