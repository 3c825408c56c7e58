import { hashId } from '../../hash.js';

/**
 * The records of the identity index (index.ts) and their byte form, the same in the
 * journal and in the sorted run files (sorted-run.ts):
 *
 *   hi u32 | lo u32 | kind u8 | key length u32 | key (UTF-8) | value length u32 | value
 *
 * ordered by (hi, lo) = the 64-bit hash of the key, then kind, then the key's bytes: a lookup
 * compares the whole key, so no hash collision can ever answer for another key. Pure.
 */

/** A link record: anonymousId -> LinkEntry. A user record: userId -> Traits. */
export const LINK = 1;
export const USER = 2;
export type Kind = typeof LINK | typeof USER;

/**
 * What the links of one anonymousId add up to, in archive order: the first link (userId, file
 * number, line or -1) and, once another userId came, the first such link's source (conflict file
 * number, line): `conflictFile` < 0 while it is not ambiguous. The first link is kept even when
 * ambiguous, so that the entries of two spans of the archive merge exactly (mergeLinks).
 */
export type LinkEntry = readonly [userId: string, file: number, line: number, conflictFile: number, conflictLine: number];

/** A user's identified identifies: [archive position of the first one, latest time]. */
export type Traits = readonly [first: number, latest: number];

export const HEAD_BYTES = 13;

/**
 * The entry of two spans of the archive, `had` before `next`: the first link stands; the first link
 * to another userId makes it ambiguous for good, keeping that link's source. Merging is associative,
 * and merging an entry with itself (or with a part of its own history) gives it back: a span
 * re-inserted after a crash changes nothing.
 */
export function mergeLinks(had: LinkEntry, next: LinkEntry): LinkEntry {
  if (had[3] >= 0) return had;
  if (next[0] !== had[0]) return [had[0], had[1], had[2], next[1], next[2]];
  return next[3] >= 0 ? [had[0], had[1], had[2], next[3], next[4]] : had;
}

/** The first position and the latest time of two: a function of the set. */
export function widen(had: Traits, more: Traits): Traits {
  if (had[0] <= more[0] && had[1] >= more[1]) return had;
  return [Math.min(had[0], more[0]), Math.max(had[1], more[1])];
}

/** A key as looked up: its hash and UTF-8 bytes. */
export interface Key {
  readonly hi: number;
  readonly lo: number;
  readonly kind: Kind;
  readonly bytes: Buffer;
}

export function keyOf(kind: Kind, text: string): Key {
  const [hi, lo] = hashId(text);
  return { hi, lo, kind, bytes: Buffer.from(text, 'utf8') };
}

/** Compares a key with the record at `at` of `buf`: < 0 when the key comes first. */
export function compareKey(key: Key, buf: Buffer, at: number): number {
  const hi = buf.readUInt32LE(at);
  if (key.hi !== hi) return key.hi < hi ? -1 : 1;
  const lo = buf.readUInt32LE(at + 4);
  if (key.lo !== lo) return key.lo < lo ? -1 : 1;
  const kind = buf[at + 8]!;
  if (key.kind !== kind) return key.kind - kind;
  const start = at + HEAD_BYTES;
  return key.bytes.compare(buf, start, start + buf.readUInt32LE(at + 9));
}

/** Compares the records at `a` of `x` and `b` of `y` in the index's order. */
export function compareRecords(x: Buffer, a: number, y: Buffer, b: number): number {
  for (const off of [0, 4]) {
    const p = x.readUInt32LE(a + off);
    const q = y.readUInt32LE(b + off);
    if (p !== q) return p < q ? -1 : 1;
  }
  if (x[a + 8] !== y[b + 8]) return x[a + 8]! - y[b + 8]!;
  const as = a + HEAD_BYTES;
  const bs = b + HEAD_BYTES;
  return x.compare(y, bs, bs + y.readUInt32LE(b + 9), as, as + x.readUInt32LE(a + 9));
}

/** The length in bytes of the record at `at`. */
export function recordLength(buf: Buffer, at: number): number {
  const keyEnd = at + HEAD_BYTES + buf.readUInt32LE(at + 9);
  return keyEnd + 4 + buf.readUInt32LE(keyEnd) - at;
}

/** Where the value of the record at `at` starts, and its length. */
export function valueOf(buf: Buffer, at: number): [start: number, length: number] {
  const keyEnd = at + HEAD_BYTES + buf.readUInt32LE(at + 9);
  return [keyEnd + 4, buf.readUInt32LE(keyEnd)];
}

export function encodeLink(key: Key, entry: LinkEntry): Buffer {
  const user = Buffer.from(entry[0], 'utf8');
  const value = Buffer.allocUnsafe(20 + user.length);
  linkValueInto(value, 0, entry, user.length);
  return record(key, value);
}

/** The length of a link record whose key and userId take `keyBytes` and `userBytes` bytes. */
export function linkLength(keyBytes: number, userBytes: number): number {
  return HEAD_BYTES + keyBytes + 4 + 20 + userBytes;
}

export const TRAITS_BYTES = 16;

/** Writes the record of `text` (`keyBytes` long in UTF-8, hash hi/lo) at `at` of `buf`, up to its value; returns where the value goes. */
export function headInto(buf: Buffer, at: number, hi: number, lo: number, kind: Kind, text: string, keyBytes: number, valueBytes: number): number {
  buf.writeUInt32LE(hi, at);
  buf.writeUInt32LE(lo, at + 4);
  buf[at + 8] = kind;
  buf.writeUInt32LE(keyBytes, at + 9);
  buf.write(text, at + HEAD_BYTES, keyBytes, 'utf8');
  buf.writeUInt32LE(valueBytes, at + HEAD_BYTES + keyBytes);
  return at + HEAD_BYTES + keyBytes + 4;
}

export function linkValueInto(buf: Buffer, v: number, entry: LinkEntry, userBytes: number): void {
  buf.writeUInt32LE(entry[1], v);
  buf.writeUInt32LE(entry[2] + 1, v + 4);
  buf.writeInt32LE(entry[3], v + 8);
  buf.writeUInt32LE(entry[4] + 1, v + 12);
  buf.writeUInt32LE(userBytes, v + 16);
  buf.write(entry[0], v + 20, userBytes, 'utf8');
}

export function traitsValueInto(buf: Buffer, v: number, traits: Traits): void {
  buf.writeDoubleLE(traits[0], v);
  buf.writeDoubleLE(traits[1], v + 8);
}

export function decodeLink(buf: Buffer, at: number): LinkEntry {
  const [v] = valueOf(buf, at);
  const userEnd = v + 20 + buf.readUInt32LE(v + 16);
  const userId = buf.toString('utf8', v + 20, userEnd);
  return [userId, buf.readUInt32LE(v), buf.readUInt32LE(v + 4) - 1, buf.readInt32LE(v + 8), buf.readUInt32LE(v + 12) - 1];
}

export function encodeTraits(key: Key, traits: Traits): Buffer {
  const value = Buffer.allocUnsafe(TRAITS_BYTES);
  traitsValueInto(value, 0, traits);
  return record(key, value);
}

export function decodeTraits(buf: Buffer, at: number): Traits {
  const [v] = valueOf(buf, at);
  return [buf.readDoubleLE(v), buf.readDoubleLE(v + 8)];
}

/** The record of one key's entries in run order (`at[i]` in `bufs[i]`), merged. */
export function mergeRecords(bufs: readonly Buffer[], at: readonly number[]): Buffer {
  const first = bufs[0]!;
  const key: Key = { hi: first.readUInt32LE(at[0]!), lo: first.readUInt32LE(at[0]! + 4), kind: first[at[0]! + 8] as Kind, bytes: keyBytes(first, at[0]!) };
  if (key.kind === LINK) {
    let entry = decodeLink(first, at[0]!);
    for (let i = 1; i < bufs.length; i++) entry = mergeLinks(entry, decodeLink(bufs[i]!, at[i]!));
    return encodeLink(key, entry);
  }
  let traits = decodeTraits(first, at[0]!);
  for (let i = 1; i < bufs.length; i++) traits = widen(traits, decodeTraits(bufs[i]!, at[i]!));
  return encodeTraits(key, traits);
}

/** The key of the record at `at`, as text. */
export function keyText(buf: Buffer, at: number): string {
  return buf.toString('utf8', at + HEAD_BYTES, at + HEAD_BYTES + buf.readUInt32LE(at + 9));
}

function keyBytes(buf: Buffer, at: number): Buffer {
  return buf.subarray(at + HEAD_BYTES, at + HEAD_BYTES + buf.readUInt32LE(at + 9));
}

function record(key: Key, value: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEAD_BYTES + key.bytes.length + 4 + value.length);
  out.writeUInt32LE(key.hi, 0);
  out.writeUInt32LE(key.lo, 4);
  out[8] = key.kind;
  out.writeUInt32LE(key.bytes.length, 9);
  key.bytes.copy(out, HEAD_BYTES);
  out.writeUInt32LE(value.length, HEAD_BYTES + key.bytes.length);
  value.copy(out, HEAD_BYTES + key.bytes.length + 4);
  return out;
}
