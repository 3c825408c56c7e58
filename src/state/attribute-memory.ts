import type { RunMemory } from './run-memory.js';

/**
 * What `--attributes changed` remembers (issue 15): the last value sent per (user, attribute), as a
 * 64-bit hash of the value's canonical JSON, in a fixed number of bytes.
 *
 * A set-associative cache: 16 bytes an entry (a 64-bit tag of user and attribute, a 64-bit value
 * hash), WAYS entries a bucket (two cache lines), the bucket picked by the tag, least recently used
 * first out. Forgetting is always safe: a value not found is sent again. A wrong skip needs the tags
 * of two (user, attribute) keys in one bucket to agree on 64 bits and their values to be equal: about
 * 10^-7 over a billion keys.
 *
 * `forget(user)` (Braze rejected one of the user's objects) bumps the user's epoch, which is mixed into
 * the tag: the user's entries become unreachable at once and age out. Epochs live in a small table
 * indexed by the user hash, so a bump may also forget other users that share the slot: safe too.
 *
 * Nothing is persisted: a resumed run starts with an empty memory, so it never skips a value Braze has
 * not received from an earlier process (the mark is empty). Persisting it would cost up to the whole
 * table at every checkpoint, and a table saved with the checkpoint would still remember values of
 * requests sent after the checkpoint's cursor and never acknowledged. What a resume costs instead: the
 * values it no longer remembers are sent once more (at most what `--attributes all` spends). The
 * request numbering that resume relies on does not depend on the memory (changed-attributes.ts).
 */


/** The attribute memory is not durable: a checkpoint stores nothing for it, and a resume starts empty. */
export type AttributeMark = null;

export interface AttributeMemoryOptions {
  /** Bytes the table may grow to (16 a remembered value). @default 64 MiB */
  readonly bytes?: number;
  /** The run's input bytes, if known: a large input starts the table at its limit (see `startBytes`). */
  readonly inputBytes?: number;
}

/**
 * A small run's table starts this small and doubles each time the new keys it has taken in reach half
 * its capacity: a run with few users keeps a table that fits the CPU's caches (a 64 MiB table from the
 * start cost 0.3-1 s more on a dry run of 187,500 messages, and 50 MB more RSS).
 */
const START_BYTES = 1 << 20;
/**
 * Input from this size on (compressed or not) starts the table at its limit: such a run fills half
 * of it or more (the bench mix: 1,000,000 messages are 125 MB gzipped and take in ~1M keys), and a
 * table that doubled half-way through made the run's peak memory depend on how far it got: 242 MB at
 * 1M messages, 283 MB at 4M (issue 13 asks for a peak that does not grow with the archive). Sized at
 * the start, the peak is reached at once and stays.
 */
const LARGE_INPUT_BYTES = 64 * 2 ** 20;

/** Entries per bucket: 8 x 16 bytes, two cache lines. */
const WAYS = 8;
const WORDS = 4;
const EPOCH_SLOTS = 1 << 16;
/** Bytes reserved up front at most (the default limit): a larger limit is reached by copying. */
const RESERVED = 64 * 2 ** 20;
/** Words a bucket. */
const BUCKET = WAYS * WORDS;


export class AttributeMemory implements RunMemory<AttributeMark> {
  /**
   * The table at its limit (up to RESERVED bytes), of which `#table` is the start in use: the table
   * doubles in place (never an old and a new copy at once), and the pages beyond it are not touched
   * (nor resident) until then. A larger limit moves to a buffer twice the size when it must.
   */
  #buffer: ArrayBuffer;
  #table: Uint32Array;
  #buckets: number;
  readonly #maxBuckets: number;
  /** New keys taken in (an upper bound of what it holds). */
  #added = 0;
  readonly #epochs = new Uint32Array(EPOCH_SLOTS);
  #tagHi = 0;
  #tagLo = 0;
  #warmed = 0;

  constructor(options: AttributeMemoryOptions = {}) {
    const bytes = options.bytes ?? 64 * 2 ** 20;
    this.#maxBuckets = Math.max(1, Math.floor(bytes / (16 * WAYS)));
    this.#buckets = Math.min(this.#maxBuckets, startBytes(options.inputBytes) / (16 * WAYS));
    this.#buffer = new ArrayBuffer(Math.min(this.#maxBuckets * BUCKET * 4, Math.max(RESERVED, START_BYTES)));
    this.#table = new Uint32Array(this.#buffer, 0, this.#buckets * BUCKET);
  }

  /** Values it can hold at most (once grown to its limit). */
  get capacity(): number {
    return this.#maxBuckets * WAYS;
  }

  /**
   * True when the value (hash) is the one last recorded for this user and attribute: the caller may
   * leave it out. Otherwise records it as the last value sent and returns false.
   */
  unchanged(userHi: number, userLo: number, keyHi: number, keyLo: number, valueHi: number, valueLo: number): boolean {
    for (;;) {
      const start = this.#find(userHi, userLo, keyHi, keyLo);
      const tagHi = this.#tagHi;
      const tagLo = this.#tagLo;
      const table = this.#table;
      const end = start + WAYS * WORDS;
      let at = start;
      while (at < end && (table[at] !== tagHi || table[at + 1] !== tagLo)) at += WORDS;
      // A new key may first grow the table (counted again when looked for in the grown one).
      if (at === end && ++this.#added * 2 > this.#buckets * WAYS && this.#buckets < this.#maxBuckets) {
        this.#grow();
        continue;
      }
      const same = at < end && table[at + 2] === valueHi >>> 0 && table[at + 3] === valueLo >>> 0;
      // Most recently used first: shift the ones before it (or all but the last, for a new key) down one.
      for (let j = Math.min(at, end - WORDS) - 1; j >= start; j--) table[j + WORDS] = table[j]!;
      table[start] = tagHi;
      table[start + 1] = tagLo;
      table[start + 2] = valueHi;
      table[start + 3] = valueLo;
      return same;
    }
  }

  /**
   * Reads the bucket of each attribute in `words` (the user's hashes at `user`, an attribute's key
   * hashes every `stride` words from `from`) before they are looked up one by one: these reads do not
   * wait on each other, so the memory has them all under way at once, where each lookup alone waits
   * for its own miss (one per attribute in a table larger than the CPU's caches).
   */
  warm(words: Uint32Array, user: number, from: number, stride: number): void {
    const table = this.#table;
    const userHi = words[user]!;
    const userLo = words[user + 1]!;
    let any = this.#warmed;
    for (let key = from; key < words.length; key += stride) any ^= table[this.#find(userHi, userLo, words[key]!, words[key + 1]!)]!;
    // Kept, so that the reads are not left out as unused.
    this.#warmed = any;
  }

  /** The tag of a (user, attribute) key, left in #tagHi and #tagLo; returns its bucket's first word. */
  #find(userHi: number, userLo: number, keyHi: number, keyLo: number): number {
    const epoch = this.#epochs[(userHi ^ userLo) & (EPOCH_SLOTS - 1)]!;
    const tagHi = mix(userHi ^ keyLo, keyHi + epoch);
    let tagLo = mix(userLo ^ keyHi, tagHi ^ keyLo);
    if (tagHi === 0 && tagLo === 0) tagLo = 1;
    this.#tagHi = tagHi;
    this.#tagLo = tagLo;
    return Math.floor((tagLo >>> 0) * this.#buckets / 4294967296) * WAYS * WORDS;
  }

  /**
   * unchanged() with the hashes read from `words`: the user's at `user` (hi, lo), the key's and the
   * value's at `key` (hi, lo, hi, lo). Reading them here keeps 32-bit words unboxed on the hot path.
   */
  unchangedAt(words: Uint32Array, user: number, key: number): boolean {
    return this.unchanged(words[user]!, words[user + 1]!, words[key]!, words[key + 1]!, words[key + 2]!, words[key + 3]!);
  }

  /**
   * Doubles the table (up to its limit), each entry going to the bucket its tag picks in the new one.
   * Bucket b's entries go to buckets 2b and 2b + 1 (in their order, most recently used first), so the
   * buckets are spread from the last one down, in place.
   */
  #grow(): void {
    const before = this.#buckets;
    this.#buckets = Math.min(this.#maxBuckets, before * 2);
    if (this.#buffer.byteLength < this.#buckets * BUCKET * 4) {
      const buffer = new ArrayBuffer(this.#buckets * BUCKET * 4);
      new Uint32Array(buffer).set(this.#table);
      this.#buffer = buffer;
    }
    const table = new Uint32Array(this.#buffer, 0, this.#buckets * BUCKET);
    this.#table = table;
    if (this.#buckets !== before * 2) return this.#rehash(table, before);
    const entries = new Uint32Array(BUCKET);
    for (let b = before - 1; b >= 0; b--) {
      const from = b * BUCKET;
      for (let k = 0; k < BUCKET; k++) {
        entries[k] = table[from + k]!;
        table[from + k] = 0;
      }
      let low = 2 * b * BUCKET;
      let high = low + BUCKET;
      for (let at = 0; at < BUCKET; at += WORDS) {
        if (entries[at] === 0 && entries[at + 1] === 0) continue;
        const to = Math.floor(entries[at + 1]! * this.#buckets / 4294967296) === 2 * b ? (low += WORDS) - WORDS : (high += WORDS) - WORDS;
        for (let k = 0; k < WORDS; k++) table[to + k] = entries[at + k]!;
      }
    }
  }

  /** Growth to a limit that is not twice the size: every entry placed again from a copy. */
  #rehash(table: Uint32Array, before: number): void {
    const old = table.slice(0, before * BUCKET);
    table.fill(0);
    const fill = new Uint8Array(this.#buckets);
    for (let at = 0; at < old.length; at += WORDS) {
      if (old[at] === 0 && old[at + 1] === 0) continue;
      const bucket = Math.floor(old[at + 1]! * this.#buckets / 4294967296);
      if (fill[bucket]! >= WAYS) continue;
      const to = (bucket * WAYS + fill[bucket]!++) * WORDS;
      for (let k = 0; k < WORDS; k++) table[to + k] = old[at + k]!;
    }
  }

  /** Forgets what was sent to this user (and possibly a few others): their next values are sent again. */
  forget(userHi: number, userLo: number): void {
    this.#epochs[(userHi ^ userLo) & (EPOCH_SLOTS - 1)]!++;
  }

  mark(): AttributeMark {
    return null;
  }

  /** Nothing to make durable. */
  commit(_mark: AttributeMark): void {}

  close(): void {
    this.#table.fill(0);
  }
}

/** Bytes the table starts with for a run of `inputBytes` (undefined: not known, as for stdin). */
export function startBytes(inputBytes: number | undefined): number {
  return inputBytes !== undefined && inputBytes >= LARGE_INPUT_BYTES ? RESERVED : START_BYTES;
}

/** Murmur3's finaliser over two 32-bit inputs: a 32-bit tag half that spreads every input bit. */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
