/** The state of one rate window as the x-ratelimit-* headers report it. */
export interface WindowState {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** When the window resets, in UTC epoch seconds (reference-braze-and-segment.md §A.4). */
  readonly resetEpochSeconds: number;
}

/**
 * A fixed window of `limit` requests per `windowSeconds`, aligned on the epoch, like Braze's
 * per-workspace limits (default 3,000 per 3 s for users/track, 20,000 per 60 s for users/delete).
 */
export class RateWindow {
  readonly #limit: number;
  readonly #windowMs: number;
  #start = -Infinity;
  #used = 0;

  constructor(limit: number, windowSeconds: number) {
    this.#limit = limit;
    this.#windowMs = windowSeconds * 1000;
  }

  /** Counts one request at `now` (epoch ms) and says whether it is allowed. */
  take(now: number): WindowState {
    this.#roll(now);
    const allowed = this.#used < this.#limit;
    if (allowed) this.#used++;
    return this.#state(allowed);
  }

  /** The state at `now` without counting a request (for answers that do not use the quota). */
  peek(now: number): WindowState {
    this.#roll(now);
    return this.#state(this.#used < this.#limit);
  }

  #roll(now: number): void {
    const start = Math.floor(now / this.#windowMs) * this.#windowMs;
    if (start !== this.#start) {
      this.#start = start;
      this.#used = 0;
    }
  }

  #state(allowed: boolean): WindowState {
    return {
      allowed,
      limit: this.#limit,
      remaining: Math.max(0, this.#limit - this.#used),
      resetEpochSeconds: Math.ceil((this.#start + this.#windowMs) / 1000),
    };
  }
}

/** The lower-case rate-limit headers Braze sends on every answer. */
export function rateHeaders(state: WindowState): Record<string, string> {
  return {
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-remaining': String(state.remaining),
    'x-ratelimit-reset': String(state.resetEpochSeconds),
  };
}

/** Seconds until the window resets, at least 1: the optional retry-after of a 429. */
export function retryAfterSeconds(state: WindowState, now: number): number {
  return Math.max(1, Math.ceil(state.resetEpochSeconds - now / 1000));
}
