/**
 * The `--stitch` identity index (issue 16): anonymousId -> the one userId the archive links it to, or
 * "ambiguous" when it links it to two or more; and per userId, where the first identify carrying it
 * sits in the archive and the latest time among them (stitch.ts decides from these whether an
 * anonymous identify's traits may be sent). On disk in the state directory's `identity/`.
 *
 * Sorted immutable files read with pread (record.ts, sorted-run.ts; docs/identity-index.md says
 * why not LMDB or SQLite). The index pass writes, the replay pass only reads (from several threads).
 * In the index pass, entries gather in maps in memory (at most `batch` and one chunk's worth: the
 * pass checkpoints when `full`); each checkpoint commits them as a sorted run, so that a checkpoint
 * covers only what sorted runs hold and a resume redoes the links after it, no more (no journal).
 * At the end of the pass, seal() merges the runs into one, which lookups read: a binary search in
 * its sparse index, one pread of a 4 KiB block, the key compared whole (no hash collision can answer
 * for another key). Nothing is memory-mapped, so the RSS does not grow with the index.
 *
 * Semantics: the first link of an anonymousId stands; another userId makes it ambiguous for good,
 * keeping the first conflicting link's source (record.ts mergeLinks). A span of links written twice
 * (after a crash between a run and the checkpoint that counts it) changes nothing.
 */
import { join } from 'node:path';
import { hashInto } from '../../hash.js';
import { keyOf, LINK, mergeLinks, readEntry, recordLength, USER, widen, writeRecord, type Kind, type LinkEntry, type Traits } from './record.js';
import { IdentityStore } from './store.js';
import type { SortedRunWriter } from './sorted-run-writer.js';
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
  /** Entries (anonymousIds and userIds) held in memory at which the index is `full`. @default 50000 */
  readonly batch?: number;
  /** The mark a checkpoint stored: the index must cover it, and counting goes on from it. */
  readonly mark?: IdentityMark;
}

/** The index's name among the run's memories (its mark in checkpoint.json `memory`), and its directory. */
export const IDENTITY = 'identity';

export class IdentityIndex implements RunMemory<IdentityMark> {
  readonly #store: IdentityStore;
  readonly #readonly: boolean;
  readonly #batch: number;
  readonly #sources: LinkSources;
  /** What came since the last commit. */
  #links = new Map<string, LinkEntry>();
  #users = new Map<string, Traits>();
  #accepted: number;

  static open(dir: string, options: IdentityIndexOptions = {}): IdentityIndex {
    return new IdentityIndex(join(dir, IDENTITY), options);
  }

  private constructor(dir: string, options: IdentityIndexOptions) {
    this.#readonly = options.readonly === true;
    this.#store = new IdentityStore(dir, !this.#readonly, this.#readonly ? (options.mark?.links ?? 0) : options.mark?.links);
    this.#batch = options.batch ?? 50_000;
    this.#sources = new LinkSources(this.#store.fileNames);
    this.#accepted = options.mark?.links ?? 0;
  }

  /** Records that a message (at `source`) carries both IDs, or an alias links them. */
  link(anonymousId: string, userId: string, source: string): void {
    this.#accepted++;
    const had = this.#links.get(anonymousId);
    // Most links repeat the first one (or come once it is ambiguous): they change nothing.
    if (had !== undefined && (had[3] >= 0 || had[0] === userId)) return;
    const entry: LinkEntry = [userId, ...this.#sources.of(source), -1, -1];
    this.#links.set(anonymousId, had === undefined ? entry : mergeLinks(had, entry));
  }

  /** Records an identify carrying `userId` at archive `position`, with its time (NO_TIME if none). */
  identified(userId: string, position: number, ms: number): void {
    this.#accepted++;
    const had = this.#users.get(userId);
    this.#users.set(userId, had === undefined ? [position, ms] : widen(had, [position, ms]));
  }

  /** The index holds `batch` entries in memory: time to commit them (the index pass checkpoints). */
  get full(): boolean {
    return this.#links.size + this.#users.size >= this.#batch;
  }

  /** What the archive holds of the user's identified traits (see IdentifiedTraits); once sealed. */
  identifiedTraits(userId: string): IdentifiedTraits | undefined {
    const traits = this.#find(USER, userId) as Traits | undefined;
    return traits && { first: traits[0], latest: traits[1] };
  }

  /** The link of an anonymousId; once sealed. */
  lookup(anonymousId: string): LinkAnswer {
    const entry = this.#find(LINK, anonymousId) as LinkEntry | undefined;
    if (entry === undefined) return undefined;
    if (entry[3] >= 0) return 'ambiguous';
    return { userId: entry[0], source: this.#sources.text(entry[1], entry[2]) };
  }

  mark(): IdentityMark {
    return { links: this.#accepted };
  }

  /**
   * Makes durable what the mark covers: writes the entries in memory (those the mark covers and
   * any after it: written again on resume, they change nothing) as a sorted run.
   */
  commit(_mark: IdentityMark): void {
    if (this.#readonly || this.#links.size + this.#users.size === 0) return;
    const [links, users] = [this.#links, this.#users];
    this.#store.addRun((out) => writeSorted(links, users, out), this.#accepted);
    this.#links = new Map();
    this.#users = new Map();
  }

  /**
   * Ends the index pass: commits what is in memory and merges the runs into the one file the replay
   * pass reads, heeding `stopped()` between slices of the merge (store.ts); false when it stopped.
   * Done again after a stop or a crash, it goes on from the runs; done when sealed, nothing.
   */
  async seal(stopped: () => boolean = () => false): Promise<boolean> {
    if (this.#readonly) return true;
    this.commit(this.mark());
    return this.#store.seal(stopped);
  }

  /** Whether the index is ready for lookups (the index pass sealed it). */
  get sealed(): boolean {
    return this.#store.sealed;
  }

  /** Closes the files; what is in memory and not committed is past the last checkpoint, and dropped. */
  close(): void {
    this.#store.close();
  }

  #find(kind: Kind, id: string): LinkEntry | Traits | undefined {
    const found = this.#store.find(keyOf(kind, id));
    return found && readEntry(found[0], found[1]);
  }
}

/**
 * Writes entries as one sorted run in the order of record.ts (hash, kind, key bytes), each record
 * encoded straight into the writer's block: a Buffer per entry first would double the memory the
 * index pass peaks at.
 */
function writeSorted(links: ReadonlyMap<string, LinkEntry>, users: ReadonlyMap<string, Traits>, out: SortedRunWriter): void {
  const keys = [...links.keys(), ...users.keys()];
  const hashes = new Uint32Array(2 * keys.length);
  keys.forEach((key, i) => hashInto(key, hashes, 2 * i));
  const kindOf = (i: number): Kind => (i < links.size ? LINK : USER);
  const order = Uint32Array.from(keys, (_, i) => i).sort((a, b) => {
    if (hashes[2 * a] !== hashes[2 * b]) return hashes[2 * a]! < hashes[2 * b]! ? -1 : 1;
    if (hashes[2 * a + 1] !== hashes[2 * b + 1]) return hashes[2 * a + 1]! < hashes[2 * b + 1]! ? -1 : 1;
    return kindOf(a) - kindOf(b) || Buffer.compare(Buffer.from(keys[a]!, 'utf8'), Buffer.from(keys[b]!, 'utf8'));
  });
  for (const i of order) {
    const key = keys[i]!;
    const kind = kindOf(i);
    const [hi, lo] = [hashes[2 * i]!, hashes[2 * i + 1]!];
    const entry = kind === LINK ? links.get(key)! : users.get(key)!;
    const keyBytes = Buffer.byteLength(key, 'utf8');
    out.put(recordLength(kind, keyBytes, entry), hi, (buf, at) => writeRecord(buf, at, hi, lo, kind, key, keyBytes, entry));
  }
}

/** The index as the mapping sees it: two plain lookups (style.md: never the store itself). */
export function stitching(index: IdentityIndex): Stitching {
  return { userIdFor: (anonymousId) => index.lookup(anonymousId), identifiedTraits: (userId) => index.identifiedTraits(userId) };
}
