/** Shape of the exponential back-off. */
export interface BackoffOptions {
  /** First ceiling, in ms. @default 250 */
  readonly baseMs?: number;
  /** Largest ceiling, in ms. @default 30000 */
  readonly capMs?: number;
}

/**
 * Capped exponential back-off with full jitter: a uniform wait in [0, min(cap, base * 2^attempt)).
 * Full jitter spreads retries of concurrent requests so they do not hit Braze in lock-step.
 * `attempt` is 0 for the first retry. `random` returns [0, 1) and is injected for tests.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const base = options.baseMs ?? 250;
  const cap = options.capMs ?? 30_000;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}
