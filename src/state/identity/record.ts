import { hashId } from '../../hash.js';

/**
 * The entries of the identity index (index.ts), what they add up to, and their byte form in the
 * sorted run files (sorted-run.ts):
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

/**
 * The entry of two spans of the archive, `had` before `next`: the first link stands; the first link
 * to another userId makes it ambiguous for good, keeping that link's source. Merging is associative,
 * and merging an entry with a later part of its own history gives it back: a span re-inserted after
 * a crash changes nothing.
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

export const HEAD_BYTES = 13;
const LINK_VALUE = 16;
const TRAITS_VALUE = 16;

/** A key as looked up: its hash and UTF-8 bytes. */
export interface Key {
  readonly hi: number;
  readonly lo: number;
  readonly kind: Kind;
  readonly bytes: Buffer;
}

/** The key of `text` (`hash`: a chosen one, for tests of collisions). */
export function keyOf(kind: Kind, text: string, [hi, lo] = hashId(text)): Key {
  return { hi, lo, kind, bytes: Buffer.from(text, 'utf8') };
}

/** Compares a key with the record at `at` of `buf`: < 0 when the key comes first. */
export function compareKey(key: Key, buf: Buffer, at: number): number {
  const hi = buf.readUInt32LE(at);
  if (key.hi !== hi) return key.hi < hi ? -1 : 1;
  const lo = buf.readUInt32LE(at + 4);
  if (key.lo !== lo) return key.lo < lo ? -1 : 1;
  if (key.kind !== buf[at + 8]) return key.kind - buf[at + 8]!;
  return key.bytes.compare(buf, at + HEAD_BYTES, at + HEAD_BYTES + buf.readUInt32LE(at + 9));
}

/** Compares the records at `a` of `x` and `b` of `y` in the index's order: < 0 when x's comes first. */
export function compareRecords(x: Buffer, a: number, y: Buffer, b: number): number {
  const xHi = x.readUInt32LE(a);
  const yHi = y.readUInt32LE(b);
  if (xHi !== yHi) return xHi < yHi ? -1 : 1;
  const xLo = x.readUInt32LE(a + 4);
  const yLo = y.readUInt32LE(b + 4);
  if (xLo !== yLo) return xLo < yLo ? -1 : 1;
  if (x[a + 8] !== y[b + 8]) return x[a + 8]! - y[b + 8]!;
  const xs = a + HEAD_BYTES;
  const ys = b + HEAD_BYTES;
  return x.compare(y, ys, ys + y.readUInt32LE(b + 9), xs, xs + x.readUInt32LE(a + 9));
}

/**
 * Where the record at `at` ends, or -1 when it would end past `limit` (a damaged file: its lengths
 * are read from disk and checked before anything is read by them).
 */
export function recordEnd(buf: Buffer, at: number, limit: number): number {
  if (at + HEAD_BYTES + 4 > limit) return -1;
  const keyEnd = at + HEAD_BYTES + buf.readUInt32LE(at + 9);
  if (keyEnd + 4 > limit) return -1;
  const end = keyEnd + 4 + buf.readUInt32LE(keyEnd);
  return end > limit || buf[at + 8]! < LINK || buf[at + 8]! > USER ? -1 : end;
}

/** The length in bytes of a record whose key takes `keyBytes` bytes in UTF-8. */
export function recordLength(kind: Kind, keyBytes: number, entry: LinkEntry | Traits): number {
  return HEAD_BYTES + keyBytes + 4 + (kind === LINK ? LINK_VALUE + Buffer.byteLength((entry as LinkEntry)[0], 'utf8') : TRAITS_VALUE);
}

/**
 * Writes the record of `key` (`keyBytes` long in UTF-8, hashed to hi/lo) at `at` of `buf`, which
 * has room for recordLength() bytes; straight into a run's block, no Buffer per record.
 */
export function writeRecord(buf: Buffer, at: number, hi: number, lo: number, kind: Kind, key: string, keyBytes: number, entry: LinkEntry | Traits): void {
  buf.writeUInt32LE(hi, at);
  buf.writeUInt32LE(lo, at + 4);
  buf[at + 8] = kind;
  buf.writeUInt32LE(keyBytes, at + 9);
  buf.write(key, at + HEAD_BYTES, keyBytes, 'utf8');
  const v = at + HEAD_BYTES + keyBytes + 4;
  if (kind === USER) {
    buf.writeUInt32LE(TRAITS_VALUE, v - 4);
    buf.writeDoubleLE(entry[0] as number, v);
    buf.writeDoubleLE(entry[1], v + 8);
    return;
  }
  const [userId, file, line, conflictFile, conflictLine] = entry as LinkEntry;
  buf.writeUInt32LE(LINK_VALUE + buf.write(userId, v + LINK_VALUE, 'utf8'), v - 4);
  buf.writeUInt32LE(file, v);
  buf.writeUInt32LE(line + 1, v + 4);
  buf.writeInt32LE(conflictFile, v + 8);
  buf.writeUInt32LE(conflictLine + 1, v + 12);
}

/** The entry of the record at `at` (a LinkEntry or Traits, by its kind). */
export function readEntry(buf: Buffer, at: number): LinkEntry | Traits {
  const keyEnd = at + HEAD_BYTES + buf.readUInt32LE(at + 9);
  const v = keyEnd + 4;
  if (buf[at + 8] === USER) return [buf.readDoubleLE(v), buf.readDoubleLE(v + 8)];
  const userId = buf.toString('utf8', v + LINK_VALUE, v + buf.readUInt32LE(keyEnd));
  return [userId, buf.readUInt32LE(v), buf.readUInt32LE(v + 4) - 1, buf.readInt32LE(v + 8), buf.readUInt32LE(v + 12) - 1];
}

/** The entries of one key (records of one kind), oldest first, merged. */
export function mergeEntries(kind: Kind, entries: ReadonlyArray<LinkEntry | Traits>): LinkEntry | Traits {
  if (kind === USER) return (entries as Traits[]).reduce(widen);
  return (entries as LinkEntry[]).reduce(mergeLinks);
}

/** The key of the record at `at`, as text. */
export function keyText(buf: Buffer, at: number): string {
  return buf.toString('utf8', at + HEAD_BYTES, at + HEAD_BYTES + buf.readUInt32LE(at + 9));
}
