import { hashId } from '../state/id-set.js';
import { attributePoints } from './data-points.js';
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
}

export const ATTRIBUTE_WORDS = 7;

/** Keys that say who and how, not what: never compared, never left out (mapping.md §9). */
const IDENTIFIERS = ['external_id', 'user_alias', 'braze_id'] as const;
const NOT_ATTRIBUTES: ReadonlySet<string> = new Set([...IDENTIFIERS, 'app_id', '_update_existing_only']);

export function attributePieces(body: Readonly<Record<string, unknown>>): AttributePieces {
  const pieces: string[] = [];
  const attrs: number[] = [];
  let at = 1;
  for (const key in body) {
    const valueJson = JSON.stringify(body[key]);
    if (valueJson === undefined) continue;
    const piece = `${JSON.stringify(key)}:${valueJson}`;
    if (pieces.length > 0) at++;
    if (!NOT_ATTRIBUTES.has(key)) {
      const [kh, kl] = hashId(key);
      const [vh, vl] = hashId(canonicalJson(body[key]));
      attrs.push(at, at + piece.length, kh, kl, vh, vl, attributePoints(key, body[key]));
    }
    pieces.push(piece);
    at += piece.length;
  }
  const who: Record<string, unknown> = {};
  for (const key of IDENTIFIERS) if (body[key] !== undefined) who[key] = body[key];
  const [uh, ul] = hashId(canonicalJson(who));
  const words = new Uint32Array(2 + attrs.length);
  words[0] = uh;
  words[1] = ul;
  words.set(attrs, 2);
  return { json: `{${pieces.join(',')}}`, words };
}

/** The JSON text of the object with only the attributes `keep` says yes to (identifiers always kept). */
export function keepAttributes(pieces: AttributePieces, keep: (attribute: number) => boolean): string {
  const { json, words } = pieces;
  const parts: string[] = [];
  let from = 1;
  for (let i = 0, w = 2; w < words.length; i++, w += ATTRIBUTE_WORDS) {
    const start = words[w]!;
    const end = words[w + 1]!;
    pushPieces(parts, json, from, start);
    if (keep(i)) parts.push(json.slice(start, end));
    from = end;
  }
  pushPieces(parts, json, from, json.length - 1);
  return `{${parts.join(',')}}`;
}

/** The pieces (identifiers, options) between two attributes: text between separators. */
function pushPieces(parts: string[], json: string, from: number, to: number): void {
  const text = json.slice(from, to).replace(/^,|,$/g, '');
  if (text !== '') parts.push(text);
}
