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
import { join } from 'node:path';
import { decodeLink, decodeTraits, keyOf, LINK, mergeLinks, USER, widen, type LinkEntry, type Traits } from './identity-record.js';
import { IdentityStore } from './identity-store.js';
import { changedRecords, writeSorted } from './identity-spill.js';
import { RecentPairs } from './recent-pairs.js';
import { LinkSources } from './link-sources.js';
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
  /** Entries (anonymousIds and userIds) kept in memory before they are written as a sorted run. @default 50000 */
  readonly batch?: number;
  /** The mark a checkpoint stored: the index must cover it, and counting goes on from it. */
  readonly mark?: IdentityMark;
}

/** The index's name among the run's memories (its mark in checkpoint.json `memory`). */
export const IDENTITY = 'identity';
/** Its directory in the state directory. */
const DIR = 'identity';

export class IdentityIndex implements RunMemory<IdentityMark> {
  readonly #store: IdentityStore;
  readonly #readonly: boolean;
  readonly #batch: number;
  readonly #sources: LinkSources;
  readonly #recent = new RecentPairs();
  /** What came since the last run was written; `#dirty*`: since the last commit. */
  #links = new Map<string, LinkEntry>();
  #users = new Map<string, Traits>();
  #dirtyLinks = new Set<string>();
  #dirtyUsers = new Set<string>();
  #accepted: number;

  static open(dir: string, options: IdentityIndexOptions = {}): IdentityIndex {
    return new IdentityIndex(dir, options);
  }

  private constructor(dir: string, options: IdentityIndexOptions) {
    this.#readonly = options.readonly === true;
    this.#store = new IdentityStore(join(dir, DIR), !this.#readonly, this.#readonly ? (options.mark?.links ?? 0) : options.mark?.links);
    this.#batch = options.batch ?? 50_000;
    this.#sources = new LinkSources(this.#store.fileNames);
    this.#store.replayJournal((buf, at) => {
      if (buf[at + 8] === LINK) this.#links.set(keyText(buf, at), decodeLink(buf, at));
      else this.#users.set(keyText(buf, at), decodeTraits(buf, at));
    });
    this.#accepted = options.mark?.links ?? 0;
  }

  /** Records that a message (at `source`) carries both IDs, or an alias links them. */
  link(anonymousId: string, userId: string, source: string): void {
    this.#accepted++;
    if (this.#recent.seen(anonymousId, userId)) return;
    const entry: LinkEntry = [userId, ...this.#sources.of(source), -1, -1];
    const had = this.#links.get(anonymousId);
    const next = had === undefined ? entry : mergeLinks(had, entry);
    if (next === had) return;
    this.#links.set(anonymousId, next);
    this.#dirtyLinks.add(anonymousId);
    this.#spillIfFull();
  }

  /** Records an identify carrying `userId` at archive `position`, with its time (NO_TIME if none). */
  identified(userId: string, position: number, ms: number): void {
    this.#accepted++;
    const had = this.#users.get(userId);
    const next: Traits = had === undefined ? [position, ms] : widen(had, [position, ms]);
    if (next === had) return;
    this.#users.set(userId, next);
    this.#dirtyUsers.add(userId);
    this.#spillIfFull();
  }

  /** What the archive holds of the user's identified traits (see IdentifiedTraits). */
  identifiedTraits(userId: string): IdentifiedTraits | undefined {
    let traits: Traits | undefined;
    this.#store.find(keyOf(USER, userId), (buf, at) => {
      const more = decodeTraits(buf, at);
      traits = traits === undefined ? more : widen(traits, more);
    });
    const pending = this.#users.get(userId);
    if (pending !== undefined) traits = traits === undefined ? pending : widen(traits, pending);
    return traits && { first: traits[0], latest: traits[1] };
  }

  lookup(anonymousId: string): IdentityLookup {
    let entry: LinkEntry | undefined;
    this.#store.find(keyOf(LINK, anonymousId), (buf, at) => {
      const more = decodeLink(buf, at);
      entry = entry === undefined ? more : mergeLinks(entry, more);
    });
    const pending = this.#links.get(anonymousId);
    if (pending !== undefined) entry = entry === undefined ? pending : mergeLinks(entry, pending);
    if (entry === undefined) return undefined;
    if (entry[3] >= 0) return 'ambiguous';
    return { userId: entry[0], source: this.#sources.text(entry[1], entry[2]) };
  }

  mark(): IdentityMark {
    return { links: this.#accepted };
  }

  /**
   * Makes durable what the mark covers: appends the entries changed since the last commit (those
   * the mark covers and any after it: re-inserting them on resume is harmless) to the journal.
   */
  commit(_mark: IdentityMark): void {
    if (this.#readonly || (this.#store.sealed && this.#links.size === 0 && this.#users.size === 0)) return;
    if (this.#dirtyLinks.size === 0 && this.#dirtyUsers.size === 0 && this.#store.accepted === this.#accepted) return;
    this.#store.journal(changedRecords(this.#links, this.#dirtyLinks, this.#users, this.#dirtyUsers), this.#accepted);
    this.#dirtyLinks.clear();
    this.#dirtyUsers.clear();
  }

  /**
   * Ends the index pass: writes what is in memory as a run and merges the runs into one sorted file,
   * the one the replay pass reads (from any thread). Done again after a crash, it picks up from the
   * runs; done when already sealed, it does nothing.
   */
  seal(): void {
    if (this.#readonly || (this.#store.sealed && this.#links.size === 0 && this.#users.size === 0)) return;
    this.#spill();
    this.#store.seal();
  }

  /** Commits what is pending (when writable) and closes the files. */
  close(): void {
    try {
      this.commit(this.mark());
    } finally {
      this.#store.close();
    }
  }

  #spillIfFull(): void {
    if (this.#links.size + this.#users.size >= this.#batch) this.#spill();
  }

  /** Writes the entries in memory as a sorted run (fsynced, named in the manifest); the journal restarts. */
  #spill(): void {
    const links = this.#links;
    const users = this.#users;
    if (links.size + users.size > 0) this.#store.spill((out) => writeSorted(links, users, out), this.#accepted);
    this.#links = new Map();
    this.#users = new Map();
    this.#dirtyLinks.clear();
    this.#dirtyUsers.clear();
  }
}

/** The index as the mapping sees it: two plain lookups (style.md: never the store itself). */
export function stitching(index: IdentityIndex): Stitching {
  return { userIdFor: (anonymousId) => index.lookup(anonymousId), identifiedTraits: (userId) => index.identifiedTraits(userId) };
}

function keyText(buf: Buffer, at: number): string {
  return buf.toString('utf8', at + 13, at + 13 + buf.readUInt32LE(at + 9));
}
