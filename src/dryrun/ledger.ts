/**
 * Holds back what a dry run's page and top lists count for a record until the record is committed
 * (its request acknowledged, in input order), so that what a checkpoint saves of them covers exactly
 * the records before its cursor: a resumed dry run then adds up to the same page as an uninterrupted
 * one. Records are numbered as they are planned (`begin`); a count made while record k is planned
 * waits here, tagged k, until `settle(m)` with m > k. Bounded by the records not yet committed (a dry
 * run's open span: at most one request's records, or 10,000 records without objects).
 */
export class Ledger {
  /** Records begun so far, this process and the ones before it. */
  #next: number;
  readonly #tags: number[] = [];
  readonly #counts: Array<() => void> = [];
  #head = 0;

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

  /** Holds `count` until the record being planned is committed. */
  defer(count: () => void): void {
    this.#tags.push(this.#next - 1);
    this.#counts.push(count);
  }

  /** Makes the counts of records before `mark` (records begun) count, in the order they were made. */
  settle(mark: number): void {
    const tags = this.#tags;
    const counts = this.#counts;
    let i = this.#head;
    while (i < tags.length && tags[i]! < mark) counts[i++]!();
    if (i === tags.length) {
      tags.length = 0;
      counts.length = 0;
      this.#head = 0;
    } else if (i > 1024) {
      tags.splice(0, i);
      counts.splice(0, i);
      this.#head = 0;
    } else this.#head = i;
  }

  /** Counts held in memory, settled ones not yet dropped included (a test's view of the bound). */
  get held(): number {
    return this.#tags.length;
  }
}
