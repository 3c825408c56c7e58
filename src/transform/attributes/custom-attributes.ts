import type { FieldTrace } from '../types.js';
import { MAX_STRING } from '../limits.js';
import { cleanNested, needsCleaning } from './nested-value.js';
import { dotted } from '../paths.js';
import { traceMappedKey } from '../trace.js';

/** Keys that identify a user in Braze: a trait must never overwrite them. */
const IDENTIFIERS: ReadonlySet<string> = new Set(['external_id', 'user_alias', 'braze_id', '_update_existing_only']);

/** Why a top-level custom attribute key is dropped (mapping.md §3), or undefined to keep it. */
export function attributeKeyRule(key: string): string | undefined {
  if (IDENTIFIERS.has(key)) return `"${key}" is a Braze identifier, set from userId and options`;
  if (key.startsWith('$')) return 'attribute keys starting with "$" are reserved by Braze';
  if (key.length > MAX_STRING) return `attribute key longer than ${MAX_STRING} characters`;
  return undefined;
}

/** Braze nested custom attributes: a key may not contain `.`, `$` or a space. */
function nestedKeyRule(key: string): string | undefined {
  return key.includes('.') || key.includes('$') || key.includes(' ')
    ? 'nested attribute keys may not contain ".", "$" or spaces'
    : undefined;
}

/**
 * Writes the trait `key` as a custom attribute: value as is (string, number, boolean, null, array,
 * nested object) with long strings truncated and bad nested keys dropped. `key` must already have
 * passed attributeKeyRule. Returns false when nothing was written (undefined value).
 */
export function writeCustomAttribute(body: Record<string, unknown>, key: string, value: unknown, trace: FieldTrace[] | undefined): boolean {
  if (value === undefined) return false;
  trace?.push(traceMappedKey('traits', 'attributes', key));
  // Nearly every value is sent as it is; the paths of its changes are found only for one that is not.
  if (!needsCleaning(value, nestedKeyRule)) body[key] = value;
  else body[key] = cleanNested(value, nestedKeyRule, trace ? dotted('traits', key) : '', trace ? dotted('attributes', key) : '', trace);
  return true;
}
