import type { HttpResult } from './client.js';
import { retryAfterMs } from './retry-after.js';

/** One errors[] entry of a 2xx answer: Braze skipped that object and processed the rest. */
export interface ItemError {
  readonly array: string;
  readonly index: number;
  readonly reason: string;
}

/**
 * What to do with one HTTP result.
 * - `ok`: the request was accepted; `itemErrors` name the objects Braze refused (not retryable).
 * - `retry`: transient; `delayMs` is set when the server said how long to wait, and `throttled`
 *   when it was a 429 (the rate limiter slows everyone down).
 * - `split`: Braze refused the whole request (400): bisect to find the bad item.
 * - `fatal`: the run cannot go on (bad key, missing permission, wrong URL, unexpected status).
 */
export type Verdict =
  | { kind: 'ok'; itemErrors: ItemError[]; deleted?: number }
  | { kind: 'retry'; reason: string; delayMs?: number; throttled?: boolean }
  | { kind: 'split'; reason: string }
  | { kind: 'fatal'; reason: string; code: string };

/**
 * Decides what a result means. Pure: `now` (epoch ms) is used for X-RateLimit-Reset.
 * A fixed order of early returns (style.md habit 4): only known-transient cases are retried.
 */
export function classify(result: HttpResult, now: number): Verdict {
  if (result.kind === 'network') return { kind: 'retry', reason: `Network error ${result.code}: ${result.message}` };
  const { status, headers, body } = result;
  if (status >= 200 && status < 300) return okVerdict(body);
  if (status === 429) return withDelay({ kind: 'retry', reason: `HTTP 429${said(body)}`, throttled: true }, retryAfterMs(headers, now));
  if (status === 408 || (status >= 500 && status !== 501 && status < 600)) {
    // Only an explicit wait counts here: x-ratelimit-reset on a 5xx describes an unrelated window.
    return withDelay({ kind: 'retry', reason: `HTTP ${status}${said(body)}` }, retryAfterMs(headers, now, { includeReset: false }));
  }
  // 413: the request is too large for Braze; halves are smaller, so bisecting can still deliver them.
  if (status === 400 || status === 413) return { kind: 'split', reason: badRequestReason(status, body) };
  if (status === 401) {
    return { kind: 'fatal', code: 'unauthorized', reason: 'Braze answered 401 Unauthorized: the API key is wrong or belongs to another instance (check --endpoint)' };
  }
  if (status === 403) {
    return { kind: 'fatal', code: 'forbidden', reason: `Braze answered 403 Forbidden${said(body)}: the API key lacks the users.track / users.delete permission, or the account is inactive` };
  }
  if (status === 404) return { kind: 'fatal', code: 'not-found', reason: 'Braze answered 404 Not Found: the endpoint URL is wrong (check --endpoint)' };
  return { kind: 'fatal', code: 'unexpected-status', reason: `Braze answered HTTP ${status}${said(body)}` };
}

function withDelay(verdict: Extract<Verdict, { kind: 'retry' }>, delayMs: number | undefined): Verdict {
  return delayMs === undefined ? verdict : { ...verdict, delayMs };
}

function okVerdict(body: unknown): Verdict {
  const verdict: Extract<Verdict, { kind: 'ok' }> = { kind: 'ok', itemErrors: itemErrors(body) };
  if (isRecord(body) && typeof body.deleted === 'number') verdict.deleted = body.deleted;
  return verdict;
}

/** errors[] entries shaped {type, input_array, index}; anything else cannot be mapped to an item. */
function itemErrors(body: unknown): ItemError[] {
  if (!isRecord(body) || !Array.isArray(body.errors)) return [];
  const errors: ItemError[] = [];
  for (const entry of body.errors) {
    if (!isRecord(entry) || typeof entry.input_array !== 'string' || typeof entry.index !== 'number') continue;
    errors.push({ array: entry.input_array, index: entry.index, reason: typeof entry.type === 'string' ? entry.type : 'rejected by Braze' });
  }
  return errors;
}

/** Braze's message, plus the first object-level error when there is one (the likely culprit). */
function badRequestReason(status: number, body: unknown): string {
  const message = messageOf(body) ?? `HTTP ${status}`;
  const first = isRecord(body) && Array.isArray(body.errors) ? body.errors[0] : undefined;
  const type = isRecord(first) && typeof first.type === 'string' ? first.type : undefined;
  return type === undefined || type === message ? message : `${message}: ${type}`;
}

function said(body: unknown): string {
  const message = messageOf(body);
  return message === undefined ? '' : ` (${message})`;
}

function messageOf(body: unknown): string | undefined {
  if (isRecord(body) && typeof body.message === 'string' && body.message !== '') return body.message;
  if (typeof body === 'string' && body.trim() !== '') return body.trim().slice(0, 200);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
