/**
 * What the run remembers from one record to the next, and from one process to the next: the
 * de-duplication journal today; later the windowed duplicate filter, the attribute memory and the
 * identity index. Each is opened from the mark stored in the checkpoint, restoring exactly the state
 * at that mark; the engine takes marks as spans of records close, and a span's mark is stored only
 * once every record before it is acknowledged (style.md habit 5).
 */
export interface RunMemory<M> {
  /** Where the memory stands now: opaque, JSON-serialisable, cheap (taken for every record). */
  mark(): M;
  /** Makes durable everything `mark` covers: called before the checkpoint storing it is saved. */
  commit(mark: M): void;
  /**
   * Optional: the engine committed everything `mark` covers (acknowledged, in input order), not yet
   * durable. Called as spans commit, far more often than `commit`.
   */
  advance?(mark: M): void;
  close(): void;
}

/** The marks of every memory of the run by name: what a span carries and the checkpoint stores. */
export type Marks = Readonly<Record<string, unknown>>;

/** Where marks come from (the engine sees only this). */
export interface MarkSource {
  mark(): Marks;
}

/**
 * The run's memories, registered by name and marked, committed and closed together. Opened from the
 * checkpoint's `memory` marks; a memory registered under a name the checkpoint does not hold starts
 * empty.
 */
export class RunMemories implements MarkSource {
  readonly #names: string[] = [];
  readonly #memories: Array<RunMemory<unknown>> = [];

  constructor(private readonly stored: Marks = {}) {}

  /** Opens the memory `name` from its stored mark (undefined on a fresh run) and registers it. */
  open<M, R extends RunMemory<M>>(name: string, open: (stored: M | undefined) => R): R {
    if (this.#names.includes(name)) throw new Error(`The run memory "${name}" is already open`);
    // The mark was written by this memory's own mark(): the memory checks what it reads back.
    const memory = open(this.stored[name] as M | undefined);
    this.#names.push(name);
    this.#memories.push(memory);
    return memory;
  }

  mark(): Marks {
    const marks: Record<string, unknown> = {};
    for (let i = 0; i < this.#names.length; i++) marks[this.#names[i]!] = this.#memories[i]!.mark();
    return marks;
  }

  /** Makes durable what every mark covers (before the checkpoint that stores `marks` is saved). */
  commit(marks: Marks): void {
    for (let i = 0; i < this.#names.length; i++) {
      const mark = marks[this.#names[i]!];
      if (mark !== undefined) this.#memories[i]!.commit(mark);
    }
  }

  /** Tells every memory that wants it how far the engine committed (see RunMemory.advance). */
  advance(marks: Marks): void {
    for (let i = 0; i < this.#names.length; i++) {
      const memory = this.#memories[i]!;
      const mark = memory.advance && marks[this.#names[i]!];
      if (mark !== undefined) memory.advance!(mark);
    }
  }

  /** Closes every memory, even when one fails to (a full disk): the first error is thrown after. */
  close(): void {
    let failure: unknown;
    for (const memory of this.#memories) {
      try {
        memory.close();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}
