/** The requests in flight: a bound on how many, and a wait for none. */
export class InFlight {
  #count = 0;
  readonly #waiters: Array<() => void> = [];
  readonly #drained: Array<() => void> = [];

  get count(): number {
    return this.#count;
  }

  /** Resolves when one is released (the caller checks the count again). */
  freed(): Promise<void> {
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  add(): void {
    this.#count++;
  }

  release(): void {
    this.#count--;
    this.#waiters.shift()?.();
    if (this.#count === 0) for (const done of this.#drained.splice(0)) done();
  }

  /** Waits until none is in flight (or `ms` passed); returns how many are still in flight. */
  async drain(ms?: number): Promise<number> {
    if (this.#count === 0) return 0;
    await new Promise<void>((resolve) => {
      this.#drained.push(resolve);
      if (ms !== undefined) setTimeout(resolve, ms).unref();
    });
    return this.#count;
  }
}
