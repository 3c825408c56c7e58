import { hashId } from '../state/id-set.js';
import { isRecord } from './limits.js';

/**
 * What `--attributes changed` compares, computed where the object is mapped (the planning worker),
 * so that the main thread only compares numbers: per attribute of a Braze attributes object, the
 * 64-bit hash of its key and of its value's canonical JSON (object keys sorted at every level, so
 * `{a:1,b:2}` equals `{b:2,a:1}`; arrays keep their order).
 */
export interface AttributeHashes {
  /** The attribute keys, in body order, identifiers and options left out. */
  readonly keys: readonly string[];
  /** 4 words per key: key hash (hi, lo), value hash (hi, lo). Transferable as it is. */
  readonly words: Uint32Array;
}

/** Keys that say who and how, not what: never compared, never left out (mapping.md §9). */
const NOT_ATTRIBUTES: ReadonlySet<string> = new Set(['external_id', 'user_alias', 'braze_id', 'app_id', '_update_existing_only']);

export function attributeHashes(body: Readonly<Record<string, unknown>>): AttributeHashes {
  const keys: string[] = [];
  for (const key in body) if (!NOT_ATTRIBUTES.has(key) && body[key] !== undefined) keys.push(key);
  const words = new Uint32Array(keys.length * 4);
  keys.forEach((key, i) => {
    const [kh, kl] = hashId(key);
    const [vh, vl] = hashId(canonicalJson(body[key]));
    words.set([kh, kl, vh, vl], i * 4);
  });
  return { keys, words };
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
