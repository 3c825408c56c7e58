/**
 * The `--stitch` identity index (issue 16): anonymousId -> the one userId the archive links it to, or
 * "ambiguous" when it links it to two or more; and per userId, where the first identify carrying it
 * sits in the archive and the latest time among them (stitch.ts decides from these whether an
 * anonymous identify's traits may be sent). On disk in the state directory's `identity/`.
 *
 * Store: sorted immutable files read with pread (SSTable-like; record.ts, sorted-run.ts).
 * The index pass writes once, the replay pass only reads (from several threads). In the index pass
 * entries go to maps in memory; commit() appends those changed since the last commit to a journal
 * (manifest.ts); at `batch` entries (or 8 MiB of journal) they become a sorted run file; seal(), at the end of
 * the pass, merges the runs into one (sorted-run-merge.ts). A lookup: binary search in the sparse index (a
 * u32 per 4 KiB block, 1 MB per GB of index), one 4 KiB pread, the key compared whole (no hash
 * collision can answer for another key). Nothing is memory-mapped, so the RSS does not grow with the
 * index. Measured with scripts/measure-stitch-rss.mjs (links + a commit per 100k + seal; then 1M
 * lookups from 2 threads, half hits), the 2-core machine at load 4-8: 1M links: build peak RSS 176
 * MB, 96.7k links/s, merge 0.9 s, 85 MB on disk; lookups peak 126 MB, 44.8k/s. 10M: 188 MB, 87.4k
 * links/s, merge 14.0 s, 850 MB; lookups 136 MB, 85.0k/s. 30M: 189 MB, 47.7k links/s, merge 98.8 s
 * (two levels), 2,550 MB; lookups 146 MB, 67.7k/s. One thread: 134k (1M, 10M) and 93k (30M)
 * lookups per CPU-second.
 *
 * Before it, LMDB (the `lmdb` package), chosen over better-sqlite3@12 with scripts/measure-index-store.mjs
 * (1M links, loaded machine): 111k against 43k lookups/s on one thread, 28k against 19k links/s, a
 * 177 against 74 MB file; better-sqlite3 has a binary per Node ABI fetched from GitHub releases or
 * compiled, which a user's install cannot count on. But LMDB reads through a memory map, and every
 * page the process touched counts in RSS (maxRSS): 1M links 274 MB (54 MB its own; SQLite 118 MB);
 * 10M links: LMDB 5.1k links/s, 59k lookups/s (116k from 2 workers), peak RSS 1,381 MB, 1,193 MB on
 * disk; SQLite 4.4k, 30k (40k), 172 MB, 741 MB. As the run used it, building 1M links peaked at 333
 * MB, 1M lookups from two threads at 279 MB, growing with the index. LevelDB maps its tables too.
 *
 * Semantics: the first link of an anonymousId stands; another userId makes it ambiguous for good,
 * keeping the first conflicting link's source (record.ts mergeLinks). Entries are a function
 * of the links in archive order; re-inserting links past the checkpoint's mark changes nothing.
 */
import { join } from 'node:path';
import { decodeLink, decodeTraits, keyOf, keyText, LINK, mergeLinks, USER, widen, type Key, type LinkEntry, type Traits } from './record.js';
import { IdentityStore } from './store.js';
import { changedRecords, writeSorted } from './spill.js';
import { RecentPairs } from './recent-pairs.js';
import { LinkSources } from './link-sources.js';
import type { RunMemory } from '../run-memory.js';
import type { IdentifiedTraits, LinkAnswer, Stitching } from '../../transform/stitch.js';

/** How far the index pass got: the links and identifies handed to it so far. Opaque to callers; JSON-safe. */
export interface IdentityMark {
  readonly links: number;
}

export interface IdentityIndexOptions {
  /** Open for lookups only (the replay pass, from any thread). @default false */
  readonly readonly?: boolean;
  /** Entries (anonymousIds and userIds) kept in memory before they are written as a sorted run. @default 50000 */
  readonly batch?: number;
  /** The mark a checkpoint stored: the index must cover it, and counting goes on from it. */
  readonly mark?: IdentityMark;
  /** Journal bytes past which a commit writes the entries as a run instead. @default 8 MiB */
  readonly journalBytes?: number;
}

/** The index's name among the run's memories (its mark in checkpoint.json `memory`), and its directory. */
export const IDENTITY = 'identity';

export class IdentityIndex implements RunMemory<IdentityMark> {
  readonly #store: IdentityStore;
  readonly #readonly: boolean;
  readonly #batch: number;
  readonly #journalBytes: number;
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
    this.#store = new IdentityStore(join(dir, IDENTITY), !this.#readonly, this.#readonly ? (options.mark?.links ?? 0) : options.mark?.links);
    this.#batch = options.batch ?? 50_000;
    this.#journalBytes = options.journalBytes ?? 8 * 2 ** 20;
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
    const traits = this.#merged(keyOf(USER, userId), decodeTraits, widen, this.#users.get(userId));
    return traits && { first: traits[0], latest: traits[1] };
  }

  lookup(anonymousId: string): LinkAnswer {
    const entry = this.#merged(keyOf(LINK, anonymousId), decodeLink, mergeLinks, this.#links.get(anonymousId));
    if (entry === undefined) return undefined;
    if (entry[3] >= 0) return 'ambiguous';
    return { userId: entry[0], source: this.#sources.text(entry[1], entry[2]) };
  }

  /** A key's entries in the stored runs, in archive order, then the one held in memory, merged. */
  #merged<E>(key: Key, decode: (buf: Buffer, at: number) => E, merge: (had: E, more: E) => E, pending: E | undefined): E | undefined {
    let value: E | undefined;
    this.#store.find(key, (buf, at) => {
      const more = decode(buf, at);
      value = value === undefined ? more : merge(value, more);
    });
    if (pending === undefined) return value;
    return value === undefined ? pending : merge(value, pending);
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
    // Entries that change at every commit (a user identified again and again) would grow it without end.
    if (this.#store.journalBytes > this.#journalBytes) this.#spill();
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

  /** seal(), heeding `stopped()` between slices of the merge (store.ts); false when it stopped. */
  async sealUnlessStopped(stopped: () => boolean): Promise<boolean> {
    if (this.#readonly || (this.#store.sealed && this.#links.size === 0 && this.#users.size === 0)) return true;
    this.#spill();
    return this.#store.sealUnlessStopped(stopped);
  }

  /** Whether the index is ready for lookups (the index pass sealed it). */
  get sealed(): boolean {
    return this.#readonly || this.#store.sealed;
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
