/**
 * Reads a few top-level fields of one JSON object text without parsing the rest: what the index pass
 * of --stitch needs of a message (userId, anonymousId, type, times) is a handful of short strings,
 * where JSON.parse would build every nested context and properties object. Nested values are only
 * stepped over (strings by indexOf). Anything it is not sure of gives undefined, and the caller
 * parses the line with JSON.parse instead: a text that is not one object, a wanted string with an
 * escape in it, a key with an escape.
 */

/** A wanted field's value: a string, a number, null, or OTHER (an object, array or boolean). */
export type TopValue = string | number | null | typeof OTHER;
export const OTHER: unique symbol = Symbol('other');

const QUOTE = 34;
const BACKSLASH = 92;

export function topFields(text: string, wanted: ReadonlySet<string>): Map<string, TopValue> | undefined {
  const found = new Map<string, TopValue>();
  let i = space(text, 0);
  if (text.charCodeAt(i) !== 123) return undefined;
  i = space(text, i + 1);
  if (text.charCodeAt(i) === 125) return space(text, i + 1) === text.length ? found : undefined;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return undefined;
    const key = text.slice(i + 1, keyEnd);
    if (key.includes('\\')) return undefined;
    i = space(text, keyEnd + 1);
    if (text.charCodeAt(i) !== 58) return undefined;
    i = space(text, i + 1);
    const end = valueEnd(text, i);
    if (end < 0) return undefined;
    if (wanted.has(key)) {
      const value = valueOf(text, i, end);
      if (value === undefined) return undefined;
      found.set(key, value);
    }
    i = space(text, end);
    const c = text.charCodeAt(i);
    if (c === 125) return space(text, i + 1) === text.length ? found : undefined;
    if (c !== 44) return undefined;
    i = space(text, i + 1);
  }
}

/** A wanted value: strings without escapes, numbers, null; OTHER for the rest; undefined when unsure. */
function valueOf(text: string, from: number, to: number): TopValue | undefined {
  const c = text.charCodeAt(from);
  if (c === QUOTE) {
    const body = text.slice(from + 1, to - 1);
    return body.includes('\\') ? undefined : body;
  }
  const raw = text.slice(from, to);
  if (raw === 'null') return null;
  if (c === 45 || (c >= 48 && c <= 57)) {
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  }
  return raw === 'true' || raw === 'false' || c === 123 || c === 91 ? OTHER : undefined;
}

/** Where the value starting at `i` ends (exclusive), or -1. */
function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) {
    const end = stringEnd(text, i);
    return end < 0 ? -1 : end + 1;
  }
  if (c === 123 || c === 91) return nestedEnd(text, i);
  let j = i;
  for (; j < text.length; j++) {
    const d = text.charCodeAt(j);
    if (d === 44 || d === 125 || d === 93 || d === 32 || d === 9 || d === 10 || d === 13) break;
  }
  return j > i ? j : -1;
}

/** The end of an object or array starting at `i` (exclusive), stepping over strings; -1 if unclosed. */
function nestedEnd(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) {
      j = stringEnd(text, j);
      if (j < 0) return -1;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      if (--depth === 0) return j + 1;
    }
  }
  return -1;
}

/** The index of the quote closing the string that opens at `i`, or -1. */
function stringEnd(text: string, i: number): number {
  let j = text.indexOf('"', i + 1);
  while (j > 0) {
    let slashes = 0;
    while (text.charCodeAt(j - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return j;
    j = text.indexOf('"', j + 1);
  }
  return -1;
}

function space(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 32 || c === 9 || c === 10 || c === 13) c = text.charCodeAt(++i);
  return i;
}
