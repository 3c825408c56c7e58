import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import type { ItemRejection } from '../braze/types.js';
import { writeFileAtomic } from './atomic-file.js';
import { writeAll } from './disk-write.js';

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
  readonly #file: string;
  #fd: number;
  private constructor(file: string, fd: number) {
    this.#file = file;
    this.#fd = fd;
  }

  /**
   * Reads the log left by earlier processes (entries for requests at or after `fromRequest`), then
   * starts a new log holding only their acknowledgements.
   */
  static open(file: string, fromRequest: number): { log: RequestLog; history: RequestHistory } {
    const history = existsSync(file) ? parse(readFileSync(file, 'utf8'), fromRequest) : empty();
    const acked = [...history.acked].map(([n, ack]) => `A ${n} ${JSON.stringify(ack)}\n`);
    const doubted = [...history.inDoubt].map((n) => `D ${n} ${history.doubts.get(n) ?? 1}\n`);
    writeFileAtomic(file, acked.join('') + doubted.join(''));
    return { log: new RequestLog(file, openSync(file, 'a')), history };
  }

  /** Throws DiskFullError on a full disk: the request must then not be sent. */
  sent(request: number): void {
    writeAll(this.#file, this.#fd, `S ${request}\n`);
  }

  /**
   * On a full disk (DiskFullError) the line may be torn; a torn line never parses as another
   * request's entry, so that request merely stays in doubt.
   */
  acked(request: number, ack: LoggedAck): void {
    writeAll(this.#file, this.#fd, `A ${request} ${JSON.stringify(ack)}\n`);
  }

  close(): void {
    closeSync(this.#fd);
  }
}

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
