/** Which headers may say how long to wait. */
export interface RetryAfterOptions {
  /**
   * Also read `x-ratelimit-reset`. Braze sends it on every answer, but it only means "wait until
   * then" on a 429; on a 5xx it describes an unrelated rate window.
   * @default true
   */
  readonly includeReset?: boolean;
}

/**
 * The wait, in ms (>= 0), that a server asked for, or undefined when it did not say.
 * Order (reference-braze-and-segment.md §A.4): `retry-after` (seconds or an HTTP date), then
 * `x-ratelimit-retry-after` (seconds), then `x-ratelimit-reset` (UTC epoch seconds).
 * Header names must be lower-case. Pure: `now` is epoch ms.
 */
export function retryAfterMs(headers: Readonly<Record<string, string>>, now: number, options: RetryAfterOptions = {}): number | undefined {
  const retryAfter = headers['retry-after'];
  if (retryAfter !== undefined) {
    const ms = secondsOrDate(retryAfter, now);
    if (ms !== undefined) return ms;
  }
  const rateLimitRetry = headers['x-ratelimit-retry-after'];
  if (rateLimitRetry !== undefined) {
    const seconds = parseSeconds(rateLimitRetry);
    if (seconds !== undefined) return Math.ceil(seconds * 1000);
  }
  const reset = headers['x-ratelimit-reset'];
  if (reset !== undefined && options.includeReset !== false) return untilReset(reset, now);
  return undefined;
}

function secondsOrDate(value: string, now: number): number | undefined {
  const seconds = parseSeconds(value);
  if (seconds !== undefined) return Math.ceil(seconds * 1000);
  // An HTTP date names its weekday and month; this keeps "-1" and the like from parsing as years.
  if (!/[a-z]{3}/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseSeconds(value: string): number | undefined {
  const text = value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/**
 * A reset time already in the past is treated as "not said" (clock skew between us and Braze):
 * a zero wait would burn retries at once, so back-off decides instead.
 */
function untilReset(value: string, now: number): number | undefined {
  const epochSeconds = parseSeconds(value);
  if (epochSeconds === undefined) return undefined;
  const ms = Math.ceil(epochSeconds * 1000 - now);
  return ms > 0 ? ms : undefined;
}
