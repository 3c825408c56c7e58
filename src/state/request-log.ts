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
}

export interface RequestHistory {
  /** Requests Braze acknowledged after the checkpoint: never sent again. */
  readonly acked: ReadonlyMap<number, LoggedAck>;
  /** Requests sent after the checkpoint with no answer recorded: in doubt. */
  readonly inDoubt: ReadonlySet<number>;
}

/**
 * requests.log: one line when a request is sent (`S <n>`) and one when Braze acknowledged it
 * (`A <n> <json>`); `D <n>` marks a request found in doubt, so that a later process still knows it
 * was (and counts it once) even if this one dies before its checkpoint covers it. The checkpoint only moves over contiguous acknowledged requests; this log tells
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
    const doubted = [...history.inDoubt].map((n) => `D ${n}\n`);
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
  return { acked: new Map(), inDoubt: new Set() };
}

function parse(text: string, fromRequest: number): RequestHistory {
  const acked = new Map<number, LoggedAck>();
  const sent = new Set<number>();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ', 2);
    const n = Number(line.slice(2, space === -1 ? undefined : space));
    if (!Number.isInteger(n) || n < fromRequest) continue;
    if (line.startsWith('S ') || line.startsWith('D ')) sent.add(n);
    else if (line.startsWith('A ') && space !== -1) {
      try {
        acked.set(n, JSON.parse(line.slice(space + 1)) as LoggedAck);
      } catch {
        // A torn last line (killed mid-write): that request stays in doubt.
      }
    }
  }
  const inDoubt = new Set([...sent].filter((n) => !acked.has(n)));
  return { acked, inDoubt };
}
