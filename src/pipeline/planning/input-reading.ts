import { countInputBytes } from '../../input/bytes-read.js';
import type { LineBatch } from '../../input/line-batches.js';
import { closeLater } from '../../input/read-ahead.js';
import type { InputRead } from '../../input/read.js';
import type { InputFile, InputItem } from '../../input/types.js';
import { shareOf, type WholeFile } from '../../input/whole-file.js';
import type { PlanWorkerReply } from './plan-worker.js';

/** Hands an input's work to the planning workers; each answer whenever it comes. */
export interface Dispatch {
  /** A batch of lines, to plan. */
  batch(batch: LineBatch, fileIndex: number): Promise<PlanWorkerReply>;
  /** A small file, to read whole and plan, or hand back: it joins a group of small files (file-groups.ts). */
  whole(whole: WholeFile, fileIndex: number): Promise<PlanWorkerReply>;
  /** Sends the group of small files being gathered, if any. */
  flush(): void;
}

/** What a pass makes of an input: of a worker's answer for the lines of `file`, and of an item read here (the failure that ends an input). */
export interface Pass<R> {
  readonly convert: (reply: PlanWorkerReply, file: string) => R;
  readonly here: (items: readonly InputItem[]) => R;
}

/** A small file offered whole: its worker's answer, and how its read goes on if the worker hands it back. */
interface Offered {
  readonly whole: WholeFile;
  /** Its share of a worker's answer (whole-file.ts shareOf). */
  readonly share: number;
  readonly answer: Promise<PlanWorkerReply>;
  readonly readOn: Extract<InputRead, { kind: 'whole' }>['readOn'];
}

/**
 * One input being read (read.ts) and planned: its reads to come, and the answers of the work handed
 * to the workers for it, taken in the order it was read. It may be started ahead of its turn
 * (FileScheduler), dispatching its first batches while the input before it finishes.
 */
export class InputReading {
  #reads: AsyncIterator<InputRead>;
  /** A read taken ahead of its turn but not acted on: a pause, a failure, items or the end. */
  #held: IteratorResult<InputRead> | undefined;
  /** The answers for the batches dispatched, in the order they were read. */
  readonly #answers: Array<Promise<PlanWorkerReply>> = [];
  #offered: Offered | undefined;

  constructor(
    readonly file: InputFile,
    /** Its place in the run's inputs. */
    readonly index: number,
    reads: AsyncIterable<InputRead>,
    private readonly work: Dispatch,
  ) {
    this.#reads = reads[Symbol.asyncIterator]();
  }

  /** Answers dispatched and not taken: a small file offered whole counts as its share of one (its group is one). */
  get pending(): number {
    return this.#answers.length + (this.#offered?.share ?? 0);
  }

  /** True when nothing is left to read before its answers are taken: the input after it may be started. */
  get readToEnd(): boolean {
    return this.#held?.done === true;
  }

  /** Reads ahead of its turn, dispatching while fewer than `room` answers are pending; stops at anything else (held for its turn). */
  async readAhead(room: number): Promise<void> {
    while (this.pending < room) {
      const read = await this.#reads.next();
      if (read.done || !this.#dispatch(read.value)) {
        this.#held = read;
        return;
      }
    }
  }

  /** Stops reading (an input started ahead, not taken); the answers pending are left unread. */
  close(): void {
    closeLater(this.#reads);
  }

  /**
   * Everything the input gives, in input order: at most `window` answers pending. When it has nothing
   * more to read before its last answers, `onReadToEnd` is told the room left (for the inputs after it).
   */
  async *take<R>(pass: Pass<R>, window: number, onReadToEnd: (room: number) => void): AsyncGenerator<R> {
    let ended = false;
    try {
      for (;;) {
        const read = this.#held ?? (await this.#reads.next());
        this.#held = undefined;
        if (!read.done) {
          yield* this.#act(read.value, window, pass);
          continue;
        }
        if (this.pending > 0) onReadToEnd(window - this.pending);
        yield* this.#drain(0, pass);
        if (!(yield* this.#takeOffered(pass))) break;
      }
      ended = true;
    } finally {
      // Stopped early (or failed): the input is closed, not left open until the end of the run.
      if (!ended) this.close();
    }
  }

  async *#act<R>(read: InputRead, window: number, pass: Pass<R>): AsyncGenerator<R> {
    if (this.#dispatch(read)) {
      yield* this.#drain(window - 1, pass);
      return;
    }
    // Gone quiet, or failed (the last thing read): what came before is handed on first.
    yield* this.#drain(0, pass);
    if (read.kind === 'failure' && !this.readToEnd) yield pass.here([read.item]);
  }

  /** Hands a batch, or a file offered whole, to the workers; false for any other read. */
  #dispatch(read: InputRead): boolean {
    if (read.kind === 'batch') this.#answers.push(unobserved(this.work.batch(read.batch, this.index)));
    else if (read.kind === 'whole') this.#offered = { whole: read.whole, share: shareOf(read.whole.size), answer: unobserved(this.work.whole(read.whole, this.index)), readOn: read.readOn };
    else return false;
    return true;
  }

  async *#drain<R>(keep: number, pass: Pass<R>): AsyncGenerator<R> {
    while (this.#answers.length > keep) {
      const answer = await this.#answers.shift()!;
      yield pass.convert(answer, this.file.display);
      if ('ends' in answer && answer.ends) this.#end();
    }
  }

  /**
   * The answer just taken ended the input (a JSON array's element that is not valid JSON): what was
   * read after it is dropped, and its reading stops, as a streaming parser stops at an error.
   */
  #end(): void {
    this.#answers.length = 0;
    this.#held = { done: true, value: undefined };
    this.close();
  }

  /**
   * The answer for the file offered whole, if any: its lines planned, or the bytes its worker read,
   * handed back, from which the input reads on (true: read on).
   */
  async *#takeOffered<R>(pass: Pass<R>): AsyncGenerator<R, boolean> {
    const offered = this.#offered;
    if (!offered) return false;
    this.#offered = undefined;
    // Its group may still be gathering: it goes now, since its answer is waited for.
    this.work.flush();
    const answer = await offered.answer;
    if ('head' in answer) {
      this.#reads = offered.readOn(answer.head);
      return true;
    }
    // Its bytes were read by the worker, where this thread's count does not see them.
    countInputBytes(offered.whole.size);
    yield pass.convert(answer, this.file.display);
    return false;
  }
}

/** An answer held until its input's turn: a run that stops first never looks at it (no unhandled rejection). */
function unobserved<T>(answer: Promise<T>): Promise<T> {
  answer.catch(() => undefined);
  return answer;
}
