import type { BrazeObject } from './types.js';
import { isRecord } from './limits.js';

/** Attribute keys that cost no data point: identifiers, options and subscription fields (mapping.md §9). */
const FREE_KEYS: ReadonlySet<string> = new Set([
  'external_id', 'user_alias', 'braze_id', 'app_id', '_update_existing_only',
  'email_subscribe', 'push_subscribe', 'subscription_groups',
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
  return points;
}

/** Data points of one attribute key set to `value` (0 for identifiers, options and subscriptions). */
export function attributePoints(key: string, value: unknown): number {
  if (FREE_KEYS.has(key)) return 0;
  return WHOLE_KEYS.has(key) ? 1 : leaves(value);
}

/** Leaves of a nested object; any other value (arrays included) is one. An empty object sets one key. */
function leaves(value: unknown): number {
  if (!isRecord(value)) return 1;
  let count = 0;
  for (const key in value) count += leaves(value[key]);
  return Math.max(count, 1);
}
