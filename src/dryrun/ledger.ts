/**
 * Holds back what a dry run's page and top lists count for a record until the record is committed
 * (its request acknowledged, in input order), so that what a checkpoint saves of them covers exactly
 * the records before its cursor: a resumed dry run then adds up to the same page as an uninterrupted
 * one. Records are numbered as they are planned (`begin`); a count made while record k is planned
 * waits here, tagged k, until `settle(m)` with m > k. Bounded by the records not yet committed (a dry
 * run's open span: at most one request's records, or 10,000 records without objects).
 */
/** A held count, called with the five values it was deferred with. */
type Count = (a: unknown, b: unknown, c: unknown, d: unknown, e: unknown) => void;

export class Ledger {
  /** Records begun so far, this process and the ones before it. */
  #next: number;
  /**
   * The held counts are `[#head, #size)` of these arrays, which keep their length: emptied and
   * filled again at every commit, arrays cut back to nothing were grown anew each time (and
   * `splice` made an array of what it took out): ~150 MB of garbage a million records.
   */
  readonly #tags: number[] = [];
  readonly #counts: Count[] = [];
  /** Five values per count: no closure is made per record (a dry run defers several per record). */
  readonly #args: unknown[] = [];
  #head = 0;
  #size = 0;

  constructor(begun = 0) {
    this.#next = begun;
  }

  /** A record is about to be planned. */
  begin(): void {
    this.#next++;
  }

  /** How many records were begun (the mark a checkpoint stores). */
  get begun(): number {
    return this.#next;
  }

  /** Holds `count(a, b, c, d, e)` until the record being planned is committed (`count`: made once, not per record). */
  defer<A, B, C, D, E>(count: (a: A, b: B, c: C, d: D, e: E) => void, a: A, b: B, c: C, d: D, e: E): void {
    // Written in place; past the arrays' length, the same writes grow them.
    const i = this.#size++;
    const at = i * 5;
    const args = this.#args;
    this.#tags[i] = this.#next - 1;
    this.#counts[i] = count as Count;
    args[at] = a;
    args[at + 1] = b;
    args[at + 2] = c;
    args[at + 3] = d;
    args[at + 4] = e;
  }

  /** Makes the counts of records before `mark` (records begun) count, in the order they were made. */
  settle(mark: number): void {
    const tags = this.#tags;
    const counts = this.#counts;
    const args = this.#args;
    const size = this.#size;
    let i = this.#head;
    for (; i < size && tags[i]! < mark; i++) {
      const at = i * 5;
      counts[i]!(args[at], args[at + 1], args[at + 2], args[at + 3], args[at + 4]);
    }
    if (i === size) {
      // What the settled counts referred to is let go (their slots are written again by the next ones).
      args.fill(undefined, 0, size * 5);
      this.#head = 0;
      this.#size = 0;
    } else if (i > 1024) {
      const rest = size - i;
      tags.copyWithin(0, i, size);
      counts.copyWithin(0, i, size);
      args.copyWithin(0, i * 5, size * 5);
      args.fill(undefined, rest * 5, size * 5);
      this.#head = 0;
      this.#size = rest;
    } else this.#head = i;
  }

  /** Counts held in memory, settled ones not yet dropped included (a test's view of the bound). */
  get held(): number {
    return this.#size;
  }
}
