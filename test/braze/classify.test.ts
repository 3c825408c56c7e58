import { describe, expect, it } from 'vitest';
import { classify } from '../../src/braze/classify.js';
import type { HttpResult } from '../../src/braze/client.js';

const now = Date.UTC(2025, 2, 3, 12, 0, 0);
const reset = String(now / 1000 + 4);

function response(status: number, body: unknown = {}, headers: Record<string, string> = {}): HttpResult {
  return { kind: 'response', status, headers, body };
}

describe('classify', () => {
  it.each<[string, HttpResult, unknown]>([
    ['retries a connection reset', { kind: 'network', code: 'ECONNRESET', message: 'socket hang up' }, { kind: 'retry', reason: 'Network error ECONNRESET: socket hang up' }],
    ['retries a timeout', { kind: 'network', code: 'TIMEOUT', message: 'Headers Timeout Error' }, { kind: 'retry', reason: 'Network error TIMEOUT: Headers Timeout Error' }],
    ['accepts a 201', response(201, { message: 'success', events_processed: 2 }), { kind: 'ok', itemErrors: [] }],
    ['accepts a 200 with a text body', response(200, 'OK'), { kind: 'ok', itemErrors: [] }],
    [
      'maps the errors of a 201',
      response(201, { message: 'success', errors: [{ type: 'Invalid price, must be a number', input_array: 'purchases', index: 0 }, { type: 'x', input_array: 'events', index: 3 }, { nonsense: true }] }),
      { kind: 'ok', itemErrors: [{ array: 'purchases', index: 0, reason: 'Invalid price, must be a number' }, { array: 'events', index: 3, reason: 'x' }] },
    ],
    ['reports deleted of a users/delete answer', response(201, { deleted: 3, message: 'success' }), { kind: 'ok', itemErrors: [], deleted: 3 }],
    ['retries a 429 after the reset', response(429, { message: 'Rate limited' }, { 'x-ratelimit-reset': reset }), { kind: 'retry', reason: 'HTTP 429 (Rate limited)', throttled: true, delayMs: 4000 }],
    ['retries a 429 after retry-after', response(429, { message: 'Rate limited' }, { 'retry-after': '2', 'x-ratelimit-reset': reset }), { kind: 'retry', reason: 'HTTP 429 (Rate limited)', throttled: true, delayMs: 2000 }],
    ['retries a 429 without a wait', response(429, ''), { kind: 'retry', reason: 'HTTP 429', throttled: true }],
    ['retries a 408', response(408), { kind: 'retry', reason: 'HTTP 408' }],
    ['retries a 500', response(500, { message: 'Internal Server Error' }), { kind: 'retry', reason: 'HTTP 500 (Internal Server Error)' }],
    ['retries a 503 after its retry-after', response(503, 'busy', { 'retry-after': '5' }), { kind: 'retry', reason: 'HTTP 503 (busy)', delayMs: 5000 }],
    ['ignores the rate window reset on a 502', response(502, {}, { 'x-ratelimit-reset': reset }), { kind: 'retry', reason: 'HTTP 502' }],
    ['retries a 599', response(599), { kind: 'retry', reason: 'HTTP 599' }],
    ['splits a 400', response(400, { message: 'Max Input Length Exceeded', errors: [] }), { kind: 'split', reason: 'Max Input Length Exceeded' }],
    [
      'splits a 400 naming the first object error',
      response(400, { message: 'No valid objects in request', errors: [{ type: 'Event name must be a non-empty string', input_array: 'events', index: 0 }] }),
      { kind: 'split', reason: 'No valid objects in request: Event name must be a non-empty string' },
    ],
    ['splits a 413', response(413, ''), { kind: 'split', reason: 'HTTP 413' }],
    ['stops on 401', response(401, { message: 'Invalid API key' }), { kind: 'fatal', code: 'unauthorized', reason: 'Braze answered 401 Unauthorized: the API key is wrong or belongs to another instance (check --endpoint)' }],
    ['stops on 403', response(403, { message: 'Access Denied' }), { kind: 'fatal', code: 'forbidden', reason: 'Braze answered 403 Forbidden (Access Denied): the API key lacks the users.track / users.delete permission, or the account is inactive' }],
    ['stops on 404', response(404), { kind: 'fatal', code: 'not-found', reason: 'Braze answered 404 Not Found: the endpoint URL is wrong (check --endpoint)' }],
    ['does not retry 501', response(501, 'Not Implemented'), { kind: 'fatal', code: 'unexpected-status', reason: 'Braze answered HTTP 501 (Not Implemented)' }],
    ['does not retry 409', response(409), { kind: 'fatal', code: 'unexpected-status', reason: 'Braze answered HTTP 409' }],
    ['does not retry 302', response(302), { kind: 'fatal', code: 'unexpected-status', reason: 'Braze answered HTTP 302' }],
  ])('%s', (_name, result, expected) => {
    expect(classify(result, now)).toEqual(expected);
  });
});
