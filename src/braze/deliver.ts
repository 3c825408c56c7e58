import { FatalRunError } from '../errors.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { itemIndex, serializeBody } from './body.js';
import type { BrazeClient } from './client.js';
import { classify, type ItemError, type Verdict } from './classify.js';
import type { RateLimiter } from './rate-limiter.js';
import type { Delivery, ItemRejection, PlannedRequest } from './types.js';

/** What deliver() needs; the clock, randomness and sleep are injected (style.md habit 7). */
export interface DeliverDeps {
  readonly client: Pick<BrazeClient, 'send'>;
  readonly limiter: RateLimiter;
  /** Retries per HTTP request (--max-retries); attempts = maxRetries + 1. */
  readonly maxRetries: number;
  readonly random: () => number;
  /** Epoch ms. */
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  /** Called before each retry wait, e.g. to log it. */
  readonly onRetry?: (reason: string, delayMs: number) => void;
  /** @default { baseMs: 250, capMs: 30000 } */
  readonly backoff?: BackoffOptions;
}

type Settled = Extract<Verdict, { kind: 'ok' | 'split' }>;

/**
 * Delivers one planned request: retries transient failures, bisects a request Braze refuses as a
 * whole (400) down to the offending items, and maps Braze's item errors back to request items.
 * @throws FatalRunError on 401/403/404/unexpected statuses, or 'retries-exhausted'.
 * @throws the abort reason when `deps.signal` aborts, even during a wait.
 */
export async function deliver(request: PlannedRequest, deps: DeliverDeps): Promise<Delivery> {
  const { verdict, retries } = await sendWithRetries(request, deps);
  if (verdict.kind === 'ok') {
    const delivery = { rejected: rejections(request, verdict.itemErrors), httpRequests: 1, retries };
    return verdict.deleted === undefined ? delivery : { ...delivery, deleted: verdict.deleted };
  }
  if (request.items.length <= 1) {
    return { rejected: request.items.length === 1 ? [{ item: 0, reason: verdict.reason }] : [], httpRequests: 0, retries };
  }
  const middle = Math.ceil(request.items.length / 2);
  // Halves go one after the other: the run's concurrency already bounds requests in flight.
  const first = await deliver({ path: request.path, items: request.items.slice(0, middle) }, deps);
  const second = await deliver({ path: request.path, items: request.items.slice(middle) }, deps);
  return merge(first, second, middle, retries);
}

/** Sends until the answer is ok or split; retries the transient ones with back-off. */
async function sendWithRetries(request: PlannedRequest, deps: DeliverDeps): Promise<{ verdict: Settled; retries: number }> {
  const body = serializeBody(request.items);
  for (let attempt = 0; ; attempt++) {
    await abortable(deps.limiter.acquire(deps.signal), deps.signal);
    const result = await abortable(deps.client.send(request.path, body, deps.signal), deps.signal);
    const verdict = classify(result, deps.now());
    if (verdict.kind === 'ok') deps.limiter.succeeded();
    if (verdict.kind === 'ok' || verdict.kind === 'split') return { verdict, retries: attempt };
    if (verdict.kind === 'fatal') throw new FatalRunError(verdict.reason, verdict.code);
    if (attempt >= deps.maxRetries) {
      throw new FatalRunError(`Gave up after ${deps.maxRetries} retries: ${verdict.reason}`, 'retries-exhausted');
    }
    await waitBeforeRetry(verdict, attempt, deps);
  }
}

/** Server-given waits are obeyed without jitter; a 429 also throttles every other request. */
async function waitBeforeRetry(verdict: Extract<Verdict, { kind: 'retry' }>, attempt: number, deps: DeliverDeps): Promise<void> {
  const delay = verdict.delayMs ?? backoffDelay(attempt, deps.backoff ?? {}, deps.random);
  if (verdict.throttled && verdict.delayMs !== undefined) deps.limiter.pauseUntil(deps.now() + delay);
  else if (verdict.throttled) deps.limiter.slowDown();
  deps.onRetry?.(verdict.reason, delay);
  await abortable(deps.sleep(delay, deps.signal), deps.signal);
}

/** Item errors → rejections of request items; one rejection per item, reasons joined. */
function rejections(request: PlannedRequest, errors: readonly ItemError[]): ItemRejection[] {
  const reasons = new Map<number, string[]>();
  for (const error of errors) {
    const item = itemIndex(request.items, error.array, error.index);
    if (item < 0) continue; // names no item of ours: nothing to reject
    const list = reasons.get(item) ?? [];
    if (!list.includes(error.reason)) list.push(error.reason);
    reasons.set(item, list);
  }
  return [...reasons].sort(([a], [b]) => a - b).map(([item, list]) => ({ item, reason: list.join('; ') }));
}

function merge(first: Delivery, second: Delivery, offset: number, retries: number): Delivery {
  const merged: Delivery = {
    rejected: [...first.rejected, ...second.rejected.map((r) => ({ item: r.item + offset, reason: r.reason }))],
    httpRequests: first.httpRequests + second.httpRequests,
    retries: retries + first.retries + second.retries,
  };
  if (first.deleted === undefined && second.deleted === undefined) return merged;
  return { ...merged, deleted: (first.deleted ?? 0) + (second.deleted ?? 0) };
}

/** Settles with `promise`, or rejects with the abort reason as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
