/**
 * The votes for the duplicate window's clock since it last moved: how many messages were remembered
 * in each time bucket, kept sorted by bucket, so that the median is a walk with no sort. A vote for
 * the bucket voted for last (messages in order of time vote in long runs) is a count; another is
 * found by bisection, and a new bucket is inserted in place (few buckets get votes between moves).
 * A Map updated for every message, its keys sorted every 64, was a fifth of the filter's CPU with a
 * 60 s window (1,000,000 messages over a year: 143 -> 114 ms) and 5% with 48 h (162 -> 154 ms).
 */
export class WindowVotes {
  #buckets = new Float64Array(16);
  #counts = new Float64Array(16);
  /** Buckets with votes. */
  #distinct = 0;
  #count = 0;
  /** Where the bucket voted for last is. */
  #last = 0;

  /** How many votes were cast. */
  get count(): number {
    return this.#count;
  }

  add(bucket: number): void {
    this.#count++;
    let at = this.#last;
    if (at >= this.#distinct || this.#buckets[at] !== bucket) {
      at = this.#find(bucket);
      if (at === this.#distinct || this.#buckets[at] !== bucket) this.#insert(at, bucket);
      this.#last = at;
    }
    this.#counts[at] = this.#counts[at]! + 1;
  }

  /** The bucket in the middle of the votes: the lowest with at least half of them at or below it. */
  median(): number {
    let seen = 0;
    for (let at = 0; at < this.#distinct; at++) {
      seen += this.#counts[at]!;
      if (seen * 2 >= this.#count) return this.#buckets[at]!;
    }
    return this.#buckets[this.#distinct - 1]!;
  }

  clear(): void {
    this.#distinct = 0;
    this.#count = 0;
    this.#last = 0;
  }

  /** Where `bucket` is, or would be inserted. */
  #find(bucket: number): number {
    let low = 0;
    let high = this.#distinct;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#buckets[mid]! < bucket) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #insert(at: number, bucket: number): void {
    if (this.#distinct === this.#buckets.length) {
      const buckets = new Float64Array(this.#distinct * 2);
      const counts = new Float64Array(this.#distinct * 2);
      buckets.set(this.#buckets);
      counts.set(this.#counts);
      this.#buckets = buckets;
      this.#counts = counts;
    }
    this.#buckets.copyWithin(at + 1, at, this.#distinct);
    this.#counts.copyWithin(at + 1, at, this.#distinct);
    this.#buckets[at] = bucket;
    this.#counts[at] = 0;
    this.#distinct++;
  }
}
