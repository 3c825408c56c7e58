import type { SegmentMessage } from '../types.js';
import { identifierOf, type IdKey } from './identifiers.js';
import type { MappingRules } from './rules.js';

/*
 * --stitch and the identity index with a mapping file's identifiers (mapping.md §10): an anonymousId
 * links to the identifier its linking message yields, keyed by type and value, so that the email
 * "ada@example.com" and the external_id "ada@example.com" are two users. An external_id is its own
 * key (the index of a run without a file is unchanged); the others start with a NUL, which an
 * external_id starting with NUL is escaped by doubling.
 */

const NUL = '\u0000';

/** The index key of an identifier. */
export function identityKey(key: IdKey, id: string): string {
  if (key === 'external_id') return id.startsWith(NUL) ? NUL + id : id;
  return `${NUL}${key}:${id}`;
}

/** The identifier an index key stands for. */
export function fromIdentityKey(text: string): { readonly key: IdKey; readonly id: string } {
  if (!text.startsWith(NUL)) return { key: 'external_id', id: text };
  if (text.startsWith(NUL + NUL)) return { key: 'external_id', id: text.slice(1) };
  const colon = text.indexOf(':');
  const key = text.slice(1, colon);
  return { key: key === 'email' || key === 'phone' ? key : 'external_id', id: text.slice(colon + 1) };
}

/**
 * How the index pass identifies a message under these rules, or undefined when they identify by
 * userId alone (the pass then reads userId as it does without a file, and may skip lines without one).
 */
export function indexIdentifier(rules: MappingRules | undefined): ((msg: SegmentMessage) => string | undefined) | undefined {
  if (rules === undefined || (rules.identifiers.length === 1 && rules.identifiers[0]!.kind === 'userId')) return undefined;
  return (msg) => {
    const found = identifierOf(msg, rules);
    return found.kind === 'ok' ? identityKey(found.key, found.id) : undefined;
  };
}
