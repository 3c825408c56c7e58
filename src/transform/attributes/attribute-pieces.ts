import { hashInto } from '../../hash.js';
import { contactIdentifier, keyPoints, pointsBy, type KeyPoints } from '../data-points.js';
import { canonicalJson } from './attribute-hashes.js';

/**
 * An attributes object serialised so that the main thread can leave attributes out without parsing
 * it again (`--attributes changed`, issue 15): its JSON text is `{` + pieces joined by `,` + `}`,
 * one piece `"key":value` per member, and `words` says where each attribute's piece is and what it is.
 *
 * `words`: the user's hash (hi, lo), then ATTRIBUTE_WORDS per attribute (identifiers and options are
 * pieces of the text but not attributes): the piece's start and end in the text, the key's hash
 * (hi, lo), the hash of the value's canonical JSON (hi, lo), and the data points it costs.
 */
export interface AttributePieces {
  readonly json: string;
  readonly words: Uint32Array;
  /** The object's data points (dataPoints() of it: every key's, those left out of the text included). */
  readonly points: number;
}

export const ATTRIBUTE_WORDS = 7;

/** Keys that say who and how, not what: never compared, never left out (mapping.md §9). */
const NOT_ATTRIBUTES: ReadonlySet<string> = new Set(['external_id', 'user_alias', 'braze_id', 'app_id', '_update_existing_only']);

/** What a key costs to serialise and hash, once per key seen (keys repeat from record to record). */
interface KeyInfo {
  /** `"key":` */
  readonly prefix: string;
  readonly attribute: boolean;
  /** How its value is counted in data points (data-points.ts keyPoints). */
  readonly points: KeyPoints;
  readonly hi: number;
  readonly lo: number;
}

/** Keys remembered (custom traits may have any name: the cache starts over past this many). */
const KEYS_CACHED = 4096;
const keys = new Map<string, KeyInfo>();

/**
 * The pieces of one object at a time, written into words it reuses (`words`, valid until the next
 * cut): a typed array made for each object (an off-heap store once past 64 bytes) cost more than the
 * rest of the cut. What a caller keeps, it copies (the planner's chunk does, planned-codec.ts).
 */
export class AttributeCutter {
  #scratch: Uint32Array = new Uint32Array(2 + 64 * ATTRIBUTE_WORDS);

  /** The words of the last cut: the user's hash, then ATTRIBUTE_WORDS per attribute. */
  words: Uint32Array = this.#scratch.subarray(0, 2);

  /** Cuts `body` into pieces (see AttributePieces); the words are left in `words`. */
  cut(body: Readonly<Record<string, unknown>>): { readonly json: string; readonly points: number } {
    let json = '{';
    let w = 2;
    let points = 0;
    let idJson: string | undefined;
    // A mapping file's email or phone identifier: an identifier here, never compared nor left out.
    const contact = body['external_id'] === undefined ? contactIdentifier(body) : undefined;
    for (const key in body) {
      const value = body[key];
      const info = keyInfo(key);
      const identifier = key === contact;
      const cost = identifier ? 0 : pointsBy(info.points, value);
      points += cost;
      const valueJson = JSON.stringify(value);
      if (valueJson === undefined) continue;
      if (key === 'external_id') idJson = valueJson;
      if (json.length > 1) json += ',';
      const at = json.length;
      json += info.prefix + valueJson;
      if (!info.attribute || identifier) continue;
      if (w + ATTRIBUTE_WORDS > this.#scratch.length) this.#scratch = grown(this.#scratch);
      const words = this.#scratch;
      words[w] = at;
      words[w + 1] = json.length;
      words[w + 2] = info.hi;
      words[w + 3] = info.lo;
      // A primitive's canonical JSON is its JSON.
      hashInto(typeof value === 'object' && value !== null ? canonicalJson(value) : valueJson, words, w + 4);
      words[w + 6] = cost;
      w += ATTRIBUTE_WORDS;
    }
    // An external_id alone (nearly every object): its JSON, a string's, never another identity's `{…}`.
    const alone = idJson !== undefined && idJson.charCodeAt(0) === QUOTE && body['user_alias'] === undefined && body['braze_id'] === undefined;
    hashInto(alone ? idJson! : userText(body, contact), this.#scratch, 0);
    this.words = this.#scratch.subarray(0, w);
    return { json: `${json}}`, points };
  }
}

const cutter = new AttributeCutter();

/** The pieces of `body`, its words its own (AttributeCutter for many objects without a copy each). */
export function attributePieces(body: Readonly<Record<string, unknown>>): AttributePieces {
  const { json, points } = cutter.cut(body);
  return { json, words: cutter.words.slice(), points };
}

function keyInfo(key: string): KeyInfo {
  let info = keys.get(key);
  if (info === undefined) {
    if (keys.size >= KEYS_CACHED) keys.clear();
    const hash = new Uint32Array(2);
    hashInto(key, hash, 0);
    info = { prefix: `${JSON.stringify(key)}:`, attribute: !NOT_ATTRIBUTES.has(key), points: keyPoints(key), hi: hash[0]!, lo: hash[1]! };
    keys.set(key, info);
  }
  return info;
}

/**
 * What the user's hash is taken of, when the object has more than a string external_id (whose own
 * JSON is hashed then, see cut()): canonicalJson of the object of the identifiers the body has
 * (keys sorted: braze_id, external_id, user_alias), without making that object; or, for an object a
 * mapping file identified by email or phone, that identifier alone. Each is text in braces, so no two
 * identities hash the same text.
 */
function userText(body: Readonly<Record<string, unknown>>, contact: 'email' | 'phone' | undefined): string {
  // Keyed by identifier type and value: {"email":"a@b"} is not the user {"external_id":"a@b"}.
  if (contact !== undefined) return `{"${contact}":${JSON.stringify(body[contact])}}`;
  let text = '{';
  for (const key of IDENTIFIERS_SORTED) {
    const value = body[key];
    if (value === undefined) continue;
    if (text.length > 1) text += ',';
    text += `"${key}":${typeof value === 'string' ? JSON.stringify(value) : canonicalJson(value)}`;
  }
  return `${text}}`;
}

const QUOTE = 0x22;

/** The identifiers, in the order canonicalJson sorts them (their names need no escaping). */
const IDENTIFIERS_SORTED = ['braze_id', 'external_id', 'user_alias'] as const;

function grown(words: Uint32Array): Uint32Array {
  const more = new Uint32Array(words.length * 2);
  more.set(words);
  return more;
}
/** The JSON text of the object with only the attributes `keep` says yes to (identifiers always kept). */
export function keepAttributes(pieces: Pick<AttributePieces, 'json' | 'words'>, keep: (attribute: number) => boolean): string {
  const { json, words } = pieces;
  let out = '{';
  let from = 1;
  for (let i = 0, w = 2; w < words.length; i++, w += ATTRIBUTE_WORDS) {
    const start = words[w]!;
    const end = words[w + 1]!;
    out = between(out, json, from, start);
    if (keep(i)) out = append(out, json, start, end);
    from = end;
  }
  return `${between(out, json, from, json.length - 1)}}`;
}

/** Adds the pieces (identifiers, options) between two attributes: the text without its separators. */
function between(out: string, json: string, from: number, to: number): string {
  if (from < to && json.charCodeAt(from) === COMMA) from++;
  if (from < to && json.charCodeAt(to - 1) === COMMA) to--;
  return append(out, json, from, to);
}

/** `out` and the text json[from, to) as the next member (none when empty). */
function append(out: string, json: string, from: number, to: number): string {
  if (to <= from) return out;
  return out.length > 1 ? `${out},${json.slice(from, to)}` : out + json.slice(from, to);
}

const COMMA = 0x2c;
