import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import type { ItemRejection } from '../braze/types.js';
import { writeFileAtomic } from './atomic-file.js';
import { writeAll } from './disk-write.js';
import { PRIVATE_FILE } from './access/modes.js';

/** What the log knows about one request after the checkpoint. */
export interface LoggedAck {
  readonly rejected: readonly ItemRejection[];
  readonly httpRequests: number;
  readonly retries: number;
  readonly deleted?: number;
  /** The request had been in doubt (sent by an earlier process with no answer recorded). */
  readonly inDoubt?: boolean;
  /** How many earlier processes died with it in flight (1 when absent and `inDoubt`). */
  readonly doubts?: number;
}

export interface RequestHistory {
  /** Requests Braze acknowledged after the checkpoint: never sent again. */
  readonly acked: ReadonlyMap<number, LoggedAck>;
  /** Requests sent after the checkpoint with no answer recorded: in doubt. */
  readonly inDoubt: ReadonlySet<number>;
  /**
   * For each request in doubt, how many processes died with it in flight: each of them may have
   * delivered it, so each is counted in requests.inDoubt (a request re-sent and caught in flight by a
   * second kill may arrive three times).
   */
  readonly doubts: ReadonlyMap<number, number>;
}

/**
 * requests.log: one line when a request is sent (`S <n>`) and one when Braze acknowledged it
 * (`A <n> <json>`); `D <n> <k>` marks a request found in doubt after k processes died with it in
 * flight, so that a later process still knows (and counts each of them) even if this one dies before
 * its checkpoint covers it. The checkpoint only moves over contiguous acknowledged requests; this log tells
 * a resumed run which later requests were acknowledged anyway (out of order, under concurrency) and
 * which were in flight when the process died. Lines are written with one write() each, so they
 * survive the process being killed (not a power cut: the checkpoint itself is fsynced).
 */
export class RequestLog {
  #fd: number;
  /** The lines of each request not yet below a saved checkpoint: what a compaction keeps. */
  readonly #lines = new Map<number, string[]>();
  #written = 0;

  private constructor(
    private readonly file: string,
    fd: number,
  ) {
    this.#fd = fd;
  }

  /**
   * Reads the log left by earlier processes (entries for requests at or after `fromRequest`), then
   * starts a new log holding only their acknowledgements.
   */
  static open(file: string, fromRequest: number): { log: RequestLog; history: RequestHistory } {
    const history = existsSync(file) ? parse(readFileSync(file, 'utf8'), fromRequest) : empty();
    const log = new RequestLog(file, -1);
    for (const [n, ack] of history.acked) log.#remember(n, `A ${n} ${JSON.stringify(ack)}\n`);
    for (const n of history.inDoubt) log.#remember(n, `D ${n} ${history.doubts.get(n) ?? 1}\n`);
    log.#rewrite();
    return { log, history };
  }

  /** Throws DiskFullError on a full disk: the request must then not be sent. */
  sent(request: number): void {
    this.#append(request, `S ${request}\n`);
  }

  /**
   * On a full disk (DiskFullError) the line may be torn; a torn line never parses as another
   * request's entry, so that request merely stays in doubt.
   */
  acked(request: number, ack: LoggedAck): void {
    this.#append(request, `A ${request} ${JSON.stringify(ack)}\n`);
  }

  /**
   * A checkpoint saying requests before `nextRequest` are done is saved: their lines are obsolete.
   * Once enough were written, the log is rewritten with only the later ones, so it holds about the
   * requests in flight, never the run's history.
   */
  compact(nextRequest: number): void {
    for (const n of this.#lines.keys()) if (n < nextRequest) this.#lines.delete(n);
    if (this.#written >= compactEvery) this.#rewrite();
  }

  #append(request: number, line: string): void {
    writeAll(this.file, this.#fd, line);
    this.#remember(request, line);
    this.#written++;
  }

  #remember(request: number, line: string): void {
    const lines = this.#lines.get(request);
    if (lines) lines.push(line);
    else this.#lines.set(request, [line]);
  }

  /** Replaces the file, atomically, with the lines remembered, and appends to it from then on. */
  #rewrite(): void {
    if (this.#fd >= 0) closeSync(this.#fd);
    let text = '';
    for (const lines of this.#lines.values()) text += lines.join('');
    writeFileAtomic(this.file, text);
    this.#fd = openSync(this.file, 'a', PRIVATE_FILE);
    this.#written = 0;
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** Lines written between two rewrites of the log (a rewrite is one small atomic file write). */
const compactEvery = 4096;

function empty(): RequestHistory {
  return { acked: new Map(), inDoubt: new Set(), doubts: new Map() };
}

function parse(text: string, fromRequest: number): RequestHistory {
  const acked = new Map<number, LoggedAck>();
  const sent = new Set<number>();
  /** Processes before the last that died with the request in flight (`D` lines). */
  const earlier = new Map<number, number>();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ', 2);
    const n = Number(line.slice(2, space === -1 ? undefined : space));
    if (!Number.isInteger(n) || n < fromRequest) continue;
    if (line.startsWith('S ')) sent.add(n);
    else if (line.startsWith('D ')) earlier.set(n, Number(line.slice(space + 1)) || 1);
    else if (line.startsWith('A ') && space !== -1) {
      try {
        acked.set(n, JSON.parse(line.slice(space + 1)) as LoggedAck);
      } catch {
        // A torn last line (killed mid-write): that request stays in doubt.
      }
    }
  }
  const inDoubt = new Set([...sent, ...earlier.keys()].filter((n) => !acked.has(n)));
  // The last process's own unanswered send is one more.
  const doubts = new Map([...inDoubt].map((n) => [n, (earlier.get(n) ?? 0) + (sent.has(n) ? 1 : 0)]));
  return { acked, inDoubt, doubts };
}
