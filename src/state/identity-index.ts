/**
 * The `--stitch` identity index (issue 16): anonymousId -> the one userId the archive links it to, or
 * "ambiguous" when it links it to two or more, kept on disk in the state directory.
 *
 * Store: LMDB through the `lmdb` package, chosen over better-sqlite3@12 after measuring both with
 * scripts/measure-index-store.mjs (1M links, 1M lookups, a loaded 2-core machine):
 * - its native code is N-API and ships prebuilt inside npm packages (@lmdb/lmdb-<platform>): it
 *   installs with `npm install` and nothing else, one binary for Node 20 and 24 (checked with
 *   `npx -y node@24`); better-sqlite3 has a binary per Node ABI, fetched from GitHub releases or
 *   compiled, which a user's install cannot count on;
 * - reads are synchronous, 1.6-2.6x faster (111k against 43k lookups/s on one thread), and a database
 *   opened by several worker threads of one process shares one environment;
 * - inserts are 1.4-1.5x faster (28k against 19k links/s, one fsync per 10,000-link transaction).
 * What it costs: a 2.4x larger file (177 against 74 MB for 1M links) and an RSS that counts the
 * pages of the memory-mapped file the process has touched: with 1M links, 274 MB of which 54 MB are
 * the process's own and 220 MB file pages (SQLite: 118 MB, 74 MB its own). File pages are page cache
 * the kernel reclaims, but `maxRSS` counts them and they grow with the index. 10M links (10.5M
 * linked, both niced on the loaded machine): LMDB 5.1k links/s, 59k lookups/s (116k from 2 workers),
 * peak RSS 1,381 MB of which 127 MB the process's own, 1,193 MB on disk; SQLite 4.4k, 30k (40k),
 * 172 MB, 741 MB. A bench should read the anonymous part (/proc/self/smaps_rollup `Anonymous`), or,
 * if the 300 MB bound must hold for `maxRSS` itself, this file is the one to rewrite
 * on better-sqlite3 (its RSS stays flat at its page cache, `cache_size`).
 *
 * Measured as the run uses it (scripts/measure-stitch-rss.mjs, issue 16): with noReadAhead and the map
 * reopened after each write transaction, building 1M links peaked at 333 MB RSS (123 MB between
 * transactions: 81 MB own, 42 MB file-mapped), 1M lookups from two threads at 279 MB: the peak is inside
 * write transactions and grows with the index; the 300 MB bound is not kept past a few million links.
 *
 * Also per userId: where the first identify carrying it sits in the archive and the latest time among
 * them (stitch.ts decides from these whether an anonymous identify's traits may be sent).
 *
 * Semantics: the first link of an anonymousId stores (userId, source); the same userId again changes
 * nothing; another userId turns the entry into an ambiguous marker that keeps the conflicting link's
 * source. Linking is a function of the set of links seen, so re-inserting links after a crash (those
 * past the checkpoint's mark) gives the same index. A source "file:line" is stored as (file number,
 * line), the file names interned in a small table of their own.
 */
import { open, type Database, type RootDatabase } from 'lmdb';
import { join } from 'node:path';
import { StateError } from '../errors.js';
import { hashId } from './id-set.js';
import type { RunMemory } from './run-memory.js';
import type { IdentifiedTraits, Link, LinkAnswer, Stitching } from '../transform/stitch.js';

/** How far the index pass got: the links and identifies handed to it so far. Opaque to callers; JSON-safe. */
export interface IdentityMark {
  readonly links: number;
}

export type IdentityLink = Link;
export type IdentityLookup = LinkAnswer;

export interface IdentityIndexOptions {
  /** Open for lookups only (the replay pass, from any thread). @default false */
  readonly readonly?: boolean;
  /** Links kept in memory before one transaction writes them. @default 10000 */
  readonly batch?: number;
  /** The mark a checkpoint stored: the index must cover it, and counting goes on from it. */
  readonly mark?: IdentityMark;
}

/** Stored value: [userId, or null when ambiguous; file number; line, or -1 when the source has none]. */
type Entry = [string | null, number, number];

const FILE = 'identity.mdb';
/** The index's name among the run's memories (its mark in checkpoint.json `memory`). */
export const IDENTITY = 'identity';
/** A user's identified traits: [archive position of the first identify carrying the userId, latest time]. */
type Traits = [number, number];

/** The meta key holding how many links the stored index covers (the mark it was last committed at). */
const ACCEPTED = 'accepted';
const LONG_KEY = 400;
/**
 * Address space reserved for the map, not disk (the file grows as it fills). Reserved once, so LMDB
 * never remaps as the file grows: each remap left the old mapping's pages counted in RSS too (500k
 * links: 365 MB RSS with the default growing map, 190 MB with this).
 */
const MAP_BYTES = 2 ** 40;

export class IdentityIndex implements RunMemory<IdentityMark> {
  #db: Store;
  readonly #path: string;
  readonly #readonly: boolean;
  readonly #fileNumbers = new Map<string, number>();
  readonly #fileNames: string[] = [];
  readonly #recent = new Uint32Array(2 * RECENT_SLOTS);
  readonly #batch: number;
  #pending = new Map<string, Entry>();
  #pendingUsers = new Map<string, Traits>();
  #accepted: number;
  #stored: number;

  static open(dir: string, options: IdentityIndexOptions = {}): IdentityIndex {
    return new IdentityIndex(dir, options);
  }

  private constructor(dir: string, options: IdentityIndexOptions) {
    this.#path = join(dir, FILE);
    this.#readonly = options.readonly === true;
    this.#db = openStore(this.#path, this.#readonly);
    this.#batch = options.batch ?? 10_000;
    this.#loadFiles();
    const stored = this.#db.meta.get(ACCEPTED) ?? 0;
    const wanted = options.mark?.links ?? 0;
    if (stored < wanted) {
      this.#db.root.close();
      throw new StateError(`The identity index holds ${stored} links, fewer than the checkpoint's ${wanted}; run again with --restart`);
    }
    this.#accepted = wanted;
    this.#stored = stored;
  }

  /** Records that a message (at `source`) carries both IDs, or an alias links them. */
  link(anonymousId: string, userId: string, source: string): void {
    this.#accepted++;
    if (this.#seenRecently(anonymousId, userId)) return;
    const key = keyOf(anonymousId);
    const entry: Entry = [userId, ...this.#sourceOf(source)];
    const had = this.#pending.get(key);
    this.#pending.set(key, had === undefined ? entry : merge(had, entry));
    if (this.#pending.size >= this.#batch) this.#flush();
  }

  /** Records an identify carrying `userId` at archive `position`, with its time (NO_TIME if none). */
  identified(userId: string, position: number, ms: number): void {
    this.#accepted++;
    const key = keyOf(userId);
    const had = this.#pendingUsers.get(key);
    this.#pendingUsers.set(key, had === undefined ? [position, ms] : widen(had, [position, ms]));
    if (this.#pendingUsers.size >= this.#batch) this.#flush();
  }

  /** What the archive holds of the user's identified traits (see IdentifiedTraits). */
  identifiedTraits(userId: string): IdentifiedTraits | undefined {
    const key = keyOf(userId);
    const stored = this.#db.users.get(key);
    const pending = this.#pendingUsers.get(key);
    const traits = stored === undefined || pending === undefined ? stored ?? pending : widen(stored, pending);
    return traits && { first: traits[0], latest: traits[1] };
  }

  lookup(anonymousId: string): IdentityLookup {
    const key = keyOf(anonymousId);
    const stored = this.#db.links.get(key);
    const pending = this.#pending.get(key);
    const entry = stored === undefined || pending === undefined ? stored ?? pending : merge(stored, pending);
    if (entry === undefined) return undefined;
    if (entry[0] === null) return 'ambiguous';
    return { userId: entry[0], source: this.#sourceText(entry[1], entry[2]) };
  }

  mark(): IdentityMark {
    return { links: this.#accepted };
  }

  /** Writes every pending link: those the mark covers and any after it (re-inserting them is harmless). */
  commit(_mark: IdentityMark): void {
    this.#flush();
  }

  /** Commits what is pending (when writable) and closes the store. */
  close(): void {
    this.#flush();
    this.#db.root.close();
  }

  #flush(): void {
    if (this.#readonly || (this.#pending.size === 0 && this.#pendingUsers.size === 0 && this.#stored === this.#accepted)) return;
    const pending = this.#pending;
    const users = this.#pendingUsers;
    this.#pending = new Map();
    this.#pendingUsers = new Map();
    // In key order, the B-tree pages a transaction touches are visited once each (~10-15% faster).
    const keys = [...pending.keys()].sort();
    this.#db.root.transactionSync(() => {
      for (const key of keys) {
        const entry = pending.get(key)!;
        const had = this.#db.links.get(key);
        const next = had === undefined ? entry : merge(had, entry);
        if (next !== had) this.#db.links.putSync(key, next);
      }
      for (const [key, traits] of users) {
        const had = this.#db.users.get(key);
        const next = had === undefined ? traits : widen(had, traits);
        if (next !== had) this.#db.users.putSync(key, next);
      }
      this.#db.meta.putSync(ACCEPTED, this.#accepted);
    });
    this.#stored = this.#accepted;
    // Unmaps what the write touched: pages of the map stay counted in RSS for as long as it is mapped.
    this.#db.root.close();
    this.#db = openStore(this.#path, false);
  }

  /** A direct-mapped cache of (anonymousId, userId) pairs just linked: most links repeat the last one. */
  #seenRecently(anonymousId: string, userId: string): boolean {
    const [hi, lo] = hashId(`${anonymousId}\u0000${userId}`);
    const at = (lo & (RECENT_SLOTS - 1)) * 2;
    if (this.#recent[at] === hi && this.#recent[at + 1] === lo) return true;
    this.#recent[at] = hi;
    this.#recent[at + 1] = lo;
    return false;
  }

  #sourceOf(source: string): [number, number] {
    const colon = source.lastIndexOf(':');
    const line = colon < 0 ? NaN : Number(source.slice(colon + 1));
    const withLine = Number.isSafeInteger(line) && line >= 0 && colon < source.length - 1;
    const file = withLine ? source.slice(0, colon) : source;
    let n = this.#fileNumbers.get(file);
    if (n === undefined) {
      n = this.#fileNames.length;
      this.#fileNames.push(file);
      this.#fileNumbers.set(file, n);
      this.#db.files.putSync(n, file);
    }
    return [n, withLine ? line : -1];
  }

  #sourceText(file: number, line: number): string {
    if (this.#fileNames[file] === undefined) this.#loadFiles();
    const name = this.#fileNames[file] ?? `file #${file}`;
    return line < 0 ? name : `${name}:${line}`;
  }

  #loadFiles(): void {
    for (const { key, value } of this.#db.files.getRange({ start: this.#fileNames.length })) {
      this.#fileNames[key] = value;
      this.#fileNumbers.set(value, key);
    }
  }
}

/** The index as the mapping sees it: two plain lookups (style.md: never the store itself). */
export function stitching(index: IdentityIndex): Stitching {
  return { userIdFor: (anonymousId) => index.lookup(anonymousId), identifiedTraits: (userId) => index.identifiedTraits(userId) };
}

/** Slots of the recent-pairs cache (a power of two): 2^16 pairs, 512 KiB. */
const RECENT_SLOTS = 1 << 16;

/** Set semantics: the first link stands until another userId makes the entry ambiguous for good. */
function merge(had: Entry, entry: Entry): Entry {
  if (had[0] === null || had[0] === entry[0]) return had;
  return [null, entry[1], entry[2]];
}

/** The databases of one open environment. */
interface Store {
  readonly root: RootDatabase;
  readonly links: Database<Entry, string>;
  readonly files: Database<string, number>;
  readonly meta: Database<number, string>;
  readonly users: Database<Traits, string>;
}

/**
 * Opens the environment. `noReadAhead` (MDB_NORDAHEAD, madvise MADV_RANDOM): a page fault maps only the
 * page asked for, not its neighbours, so the RSS a lookup costs is the pages it reads.
 */
function openStore(path: string, readOnly: boolean): Store {
  // lmdb's option types leave out noReadAhead, which open() reads (lmdb/open.js).
  const options = { path, maxDbs: 4, mapSize: MAP_BYTES, readOnly, noReadAhead: true };
  const root = open(options);
  return {
    root,
    links: root.openDB<Entry, string>({ name: 'links' }),
    files: root.openDB<string, number>({ name: 'files', encoding: 'string' }),
    meta: root.openDB<number, string>({ name: 'meta' }),
    users: root.openDB<Traits, string>({ name: 'users' }),
  };
}

/** The first position and the latest time of two: a function of the set (resume re-inserts harmlessly). */
function widen(had: Traits, more: Traits): Traits {
  if (had[0] <= more[0] && had[1] >= more[1]) return had;
  return [Math.min(had[0], more[0]), Math.max(had[1], more[1])];
}

/** LMDB keys are at most ~2 KB; a longer anonymousId is keyed by its 64-bit hash. */
function keyOf(anonymousId: string): string {
  if (anonymousId.length <= LONG_KEY) return anonymousId;
  const [hi, lo] = hashId(anonymousId);
  return `\u0000${hi.toString(16)}${lo.toString(16)}`;
}
