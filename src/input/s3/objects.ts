import { isTransient, errorName, objectReadFailure } from './errors.js';
import type { ListedObject, S3Store } from './client.js';
import type { RemoteObject } from '../types.js';

/** What the S3 inputs of a run amount to, and what reading them took (report field `s3`). */
export interface S3Stats {
  /** Objects listed, and their bytes (as stored, gzipped or not). */
  objects: number;
  bytes: number;
  /** Bytes received and handed on (each byte once, whatever the retries). */
  bytesRead: number;
  /** Requests for object bytes made again after a fault (5xx, SlowDown, cut connection, timeout). */
  retried: number;
}

/** Effects and limits of reading (style.md habit 7). */
export interface S3ReadOptions {
  /** Retries of one object's read before it is given up (a rejected read error). @default 10 */
  readonly maxRetries: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  /** Told of each retry, in a sentence. */
  readonly onRetry?: (message: string) => void;
}

interface Entry {
  readonly url: string;
  readonly bucket: string;
  readonly object: ListedObject;
}

/** The first bytes of an object fetched ahead of its turn. */
interface Head {
  readonly start: number;
  readonly bytes: Buffer;
}

/**
 * Objects fetched ahead of the one being read, and bytes fetched of each: S3 answers a request after
 * tens of milliseconds, so 200,000 objects read strictly one after another would spend hours waiting.
 * The head of each of the next few objects (all of a small one) is fetched while the current one is
 * planned; memory stays bounded by AHEAD_OBJECTS × AHEAD_BYTES.
 */
const AHEAD_OBJECTS = 4;
const AHEAD_BYTES = 1 << 20;
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 5_000;

/**
 * The S3 objects of one run, in reading order. Each is read as a byte stream that survives faults: after
 * a cut connection, a 5xx or a timeout, it asks again for the bytes from the first one not yet handed on
 * (a Range request, If-Match the listed ETag), so no byte is lost or handed on twice, gzip or not.
 */
export class S3Objects {
  readonly stats: S3Stats = { objects: 0, bytes: 0, bytesRead: 0, retried: 0 };
  readonly #entries: Entry[] = [];
  readonly #ahead = new Map<number, Promise<Head | undefined>>();
  readonly #aborts = new Set<AbortController>();
  /** The next object not yet fetched ahead, and the last one opened. */
  #next = 0;
  #last = -1;
  #closed = false;

  constructor(
    private readonly store: S3Store,
    private readonly options: S3ReadOptions,
  ) {}

  /** Adds the next object of the run (in reading order); returns how to read it. */
  add(url: string, bucket: string, object: ListedObject): RemoteObject {
    const index = this.#entries.length;
    this.#entries.push({ url, bucket, object });
    this.stats.objects++;
    this.stats.bytes += object.size;
    return { etag: object.etag, bytes: (from) => this.#read(index, from) };
  }

  /** Cancels what is fetched ahead and closes the client. */
  close(): void {
    this.#closed = true;
    for (const abort of this.#aborts) abort.abort();
    this.#ahead.clear();
    this.store.close();
  }

  async *#read(index: number, from: number): AsyncGenerator<Buffer> {
    const entry = this.#entries[index]!;
    const size = entry.object.size;
    const head = this.#ahead.get(index);
    this.#ahead.delete(index);
    this.#fetchAhead(index);
    let pos = from;
    const prefetched = head ? await head : undefined;
    if (prefetched && prefetched.start === 0 && from < prefetched.bytes.length) {
      const chunk = prefetched.bytes.subarray(from);
      pos += chunk.length;
      this.stats.bytesRead += chunk.length;
      yield chunk;
    }
    let failures = 0;
    while (pos < size) {
      // Never end short of the size: a read stopped by close() (the run is over) fails instead.
      if (this.#closed) throw new Error(`S3 read of ${entry.url} stopped: the run is ending`);
      const abort = new AbortController();
      this.#aborts.add(abort);
      try {
        const body = await this.store.get(entry.bucket, entry.object.key, entry.object.etag, pos, undefined, abort.signal);
        this.stats.retried += body.retries;
        // A store that ignores Range answers from byte 0: skip what was handed on already.
        let skip = pos - body.start;
        for await (const raw of body.bytes) {
          let chunk = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
          if (skip > 0) {
            const cut = Math.min(skip, chunk.length);
            chunk = chunk.subarray(cut);
            skip -= cut;
          }
          if (chunk.length === 0) continue;
          pos += chunk.length;
          this.stats.bytesRead += chunk.length;
          failures = 0;
          yield chunk;
        }
        if (pos < size) throw Object.assign(new Error('the object ended early'), { name: 'TruncatedBody' });
      } catch (error) {
        if (this.#closed) throw new Error(`S3 read of ${entry.url} stopped: the run is ending`);
        if (!isTransient(error) || failures >= this.options.maxRetries) throw new Error(objectReadFailure(error, entry.url, failures + 1));
        failures++;
        this.stats.retried++;
        this.options.onRetry?.(`S3 read of ${entry.url} failed at byte ${pos} of ${size} (${errorName(error)}): reading on from there (retry ${failures} of ${this.options.maxRetries})`);
        await this.options.sleep(this.#backoff(failures));
      } finally {
        abort.abort();
        this.#aborts.delete(abort);
      }
    }
  }

  /** Starts fetching the heads of the objects after `index` (up to AHEAD_OBJECTS of them). */
  #fetchAhead(index: number): void {
    // A second pass over the objects (delete counts the IDs before it deletes) starts over.
    if (index <= this.#last) this.#next = index + 1;
    this.#last = index;
    this.#next = Math.max(this.#next, index + 1);
    for (; this.#next <= index + AHEAD_OBJECTS && this.#next < this.#entries.length; this.#next++) {
      const entry = this.#entries[this.#next]!;
      if (entry.object.size > 0 && !this.#ahead.has(this.#next)) this.#ahead.set(this.#next, this.#fetchHead(entry));
    }
  }

  /** The first AHEAD_BYTES of an object, or undefined if that failed (the read then asks again). */
  async #fetchHead(entry: Entry): Promise<Head | undefined> {
    const abort = new AbortController();
    this.#aborts.add(abort);
    try {
      const last = Math.min(entry.object.size, AHEAD_BYTES) - 1;
      const body = await this.store.get(entry.bucket, entry.object.key, entry.object.etag, 0, last, abort.signal);
      this.stats.retried += body.retries;
      const parts: Uint8Array[] = [];
      for await (const chunk of body.bytes) parts.push(chunk);
      return { start: body.start, bytes: Buffer.concat(parts) };
    } catch (error) {
      if (isTransient(error) && !abort.signal.aborted) this.stats.retried++;
      return undefined;
    } finally {
      this.#aborts.delete(abort);
    }
  }

  /** Capped exponential back-off with jitter (half to all of the step). */
  #backoff(failures: number): number {
    const step = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (failures - 1));
    return Math.round(step * (0.5 + this.options.random() / 2));
  }
}
