import type { SegmentMessage } from '../types.js';
import type { MappingRules } from './rules.js';
import { valueAt } from './prepare.js';

/** The Braze identifier key an object carries (mapping.md §2, §10). */
export type IdKey = 'external_id' | 'email' | 'phone';

/**
 * A message's user: none (anonymous), an identifier (key and value; `by` is the index of the
 * `identifiers` entry that gave it and `from` the Segment path), or a userId of a type Braze cannot take.
 */
export type Identified =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'ok'; readonly id: string; readonly key: IdKey; readonly by: number; readonly from: string }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Where `email` and `phone` identifiers are read from, in order. */
const CONTACT_PLACES = ['traits', 'context.traits', 'properties'] as const;
const CONTACT_PATHS = { email: CONTACT_PLACES.map((place) => [...place.split('.'), 'email']), phone: CONTACT_PLACES.map((place) => [...place.split('.'), 'phone']) };
const CONTACT_NAMES = { email: CONTACT_PATHS.email.map((path) => path.join('.')), phone: CONTACT_PATHS.phone.map((path) => path.join('.')) };

/** Braze's phone identifier format (E.164). */
const E164 = /^\+[1-9]\d{1,14}$/;

/**
 * The first `identifiers` entry that yields a value decides the message's identifier (mapping.md §10).
 * `userId` is read as mapping.md §1 reads it: a userId of another type rejects the record.
 */
export function identifierOf(msg: SegmentMessage, rules: MappingRules): Identified {
  const { identifiers } = rules;
  for (let by = 0; by < identifiers.length; by++) {
    const rule = identifiers[by]!;
    switch (rule.kind) {
      case 'userId': {
        const raw = msg['userId'];
        if (raw === undefined || raw === null) break;
        const id = idText(raw);
        if (id === undefined && typeof raw !== 'string') return { kind: 'invalid', reason: `userId is ${typeName(raw)}, not a string` };
        if (id !== undefined) return { kind: 'ok', id, key: 'external_id', by, from: 'userId' };
        break;
      }
      case 'path': {
        const id = idText(valueAt(msg, rule.path));
        if (id !== undefined) return { kind: 'ok', id, key: 'external_id', by, from: rule.name };
        break;
      }
      case 'email':
      case 'phone': {
        const found = contactOf(msg, rule.kind);
        if (found !== undefined) return { kind: 'ok', id: found.value, key: rule.kind, by, from: found.from };
        break;
      }
    }
  }
  return { kind: 'anonymous' };
}

/** The first usable email (with `@`) or E.164 phone of the message, and where it is. */
function contactOf(msg: SegmentMessage, kind: 'email' | 'phone'): { value: string; from: string } | undefined {
  const paths = CONTACT_PATHS[kind];
  for (let i = 0; i < paths.length; i++) {
    const value = valueAt(msg, paths[i]!);
    if (typeof value !== 'string') continue;
    const text = value.trim();
    if (kind === 'email' ? text.includes('@') : E164.test(text)) return { value: text, from: CONTACT_NAMES[kind][i]! };
  }
  return undefined;
}

/** A non-blank string, or a finite number as its string (mapping.md §1). */
function idText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.trim() === '' ? undefined : raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return undefined;
}

function typeName(raw: unknown): string {
  return Array.isArray(raw) ? 'an array' : typeof raw === 'object' ? 'an object' : `a ${typeof raw}`;
}
