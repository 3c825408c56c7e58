/** Braze's per-object limits that the mapping enforces (mapping.md §3-§5). */

/** Longest string value, attribute key and property key Braze accepts (characters). */
export const MAX_STRING = 255;

/** Largest event/purchase `properties` once serialised (bytes of UTF-8 JSON). Braze rejects more. */
export const MAX_PROPERTIES_BYTES = 50 * 1024;

/** Largest `quantity` of one purchase object; more is split into several purchases. */
export const MAX_QUANTITY = 100;

/** Trace reason for a string cut to MAX_STRING. */
export const TRUNCATED = `truncated to ${MAX_STRING} characters`;

/** Cuts a string to MAX_STRING UTF-16 units without splitting a surrogate pair. */
export function truncate(value: string): string {
  const end = isHighSurrogate(value.charCodeAt(MAX_STRING - 1)) ? MAX_STRING - 1 : MAX_STRING;
  return value.slice(0, end);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** True for a JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
