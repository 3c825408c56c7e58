/** How the --rate limiter behaves; the clock and sleep are injected (style.md habit 7). */
export interface RateLimiterOptions {
  /** Requests per second (--rate). Infinity means unlimited. */
  readonly rate: number;
  /** Epoch ms. */
  readonly now: () => number;
  /** Resolves after `ms`; should reject with the abort reason when `signal` aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Requests that may start back to back after an idle spell. @default 1 */
  readonly burst?: number;
  /** Floor for slowDown(). @default min(1, rate) */
  readonly minRate?: number;
  /** Requests/s added back per success after a slow-down. @default max(1, rate / 100) */
  readonly recoveryStep?: number;
}

/**
 * Token bucket for --rate, shared by every request of a run. A 429 with a server wait pauses
 * everyone until then (pauseUntil); a 429 without one halves the rate (slowDown), and each success
 * adds a step back until the configured rate is reached again (AIMD, as in TCP congestion control).
 */
export class RateLimiter {
  readonly #configured: number;
  readonly #min: number;
  readonly #step: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #rate: number;
  /** Earliest time the next request may start when the bucket is empty (GCRA "theoretical arrival time"). */
  #next = -Infinity;
  #pausedUntil = -Infinity;

  constructor(options: RateLimiterOptions) {
    if (!(options.rate > 0)) throw new RangeError(`rate must be > 0, got ${options.rate}`);
    this.#configured = options.rate;
    this.#rate = options.rate;
    this.#min = options.minRate ?? Math.min(1, options.rate);
    this.#step = options.recoveryStep ?? Math.max(1, options.rate / 100);
    this.#burst = Math.max(1, options.burst ?? 1);
    this.#now = options.now;
    this.#sleep = options.sleep;
  }

  /** The rate currently enforced, in requests/s. */
  get currentRate(): number {
    return this.#rate;
  }

  /** Resolves when one request may start. Rejects with the abort reason when `signal` aborts. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.#now();
      const interval = this.#interval();
      const start = Math.max(this.#next - (this.#burst - 1) * interval, this.#pausedUntil);
      if (start <= now) {
        this.#next = Math.max(now, this.#next) + interval;
        return;
      }
      // Re-check after waking: another waiter may have taken the slot, or a pause may have begun.
      await this.#sleep(start - now, signal);
    }
  }

  /** Holds every request until `epochMs` (a 429 that said how long to wait). */
  pauseUntil(epochMs: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, epochMs);
  }

  /** Multiplicative decrease: a 429 without a server wait. */
  slowDown(): void {
    this.#rate = Math.max(this.#min, this.#rate / 2);
  }

  /** Additive recovery towards the configured rate: call on each accepted request. */
  succeeded(): void {
    this.#rate = Math.min(this.#configured, this.#rate + this.#step);
  }

  #interval(): number {
    return Number.isFinite(this.#rate) ? 1000 / this.#rate : 0;
  }
}
