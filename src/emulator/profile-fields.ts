/**
 * The attributes-object fields the emulator checks beyond plain attributes, as Braze does
 * (reference-braze-and-segment.md §A.2, §A.6): email and phone as identifiers, `subscription_groups`
 * and `push_tokens`. Pure.
 */

/** Braze's phone identifier (E.164). */
const E164 = /^\+[1-9]\d{1,14}$/;
/** An address Braze takes as an email identifier: something@domain.tld, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const STATES: ReadonlySet<unknown> = new Set(['subscribed', 'unsubscribed']);

/** The problem with an object identified only by email or phone (no external_id, braze_id or user_alias). */
export function contactIdentifierError(object: Record<string, unknown>): string | undefined {
  if (object['external_id'] !== undefined || object['braze_id'] !== undefined || object['user_alias'] !== undefined) return undefined;
  // With both, Braze uses email as the identifier.
  if (typeof object['email'] === 'string') return EMAIL.test(object['email']) ? undefined : 'email identifier is not a valid email address';
  if (typeof object['phone'] === 'string') return E164.test(object['phone']) ? undefined : 'phone identifier must be an E.164 number (+14155552671)';
  return undefined;
}

/** The problem with `subscription_groups` or `push_tokens` on an attributes object, if any. */
export function profileFieldError(key: string, value: unknown): string | undefined {
  if (key === 'subscription_groups') return listError(key, value, subscriptionError);
  if (key === 'push_tokens') return listError(key, value, pushTokenError);
  return undefined;
}

function listError(key: string, value: unknown, entry: (item: Record<string, unknown>) => string | undefined): string | undefined {
  if (!Array.isArray(value)) return `${key} must be an array`;
  for (const item of value) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return `${key} entries must be JSON objects`;
    const problem = entry(item as Record<string, unknown>);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function subscriptionError(item: Record<string, unknown>): string | undefined {
  if (typeof item['subscription_group_id'] !== 'string' || item['subscription_group_id'] === '') return 'subscription_group_id must be a non-empty string';
  if (!STATES.has(item['subscription_state'])) return "subscription_state must be 'subscribed' or 'unsubscribed'";
  return undefined;
}

function pushTokenError(item: Record<string, unknown>): string | undefined {
  if (typeof item['app_id'] !== 'string' || item['app_id'] === '') return 'push_tokens app_id must be a non-empty string';
  if (typeof item['token'] !== 'string' || item['token'] === '') return 'push_tokens token must be a non-empty string';
  if (item['device_id'] !== undefined && typeof item['device_id'] !== 'string') return 'push_tokens device_id must be a string';
  return undefined;
}
