import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BrazeClient } from '../../src/braze/client.js';
import { deliver, type DeliverDeps } from '../../src/braze/deliver.js';
import { RateLimiter } from '../../src/braze/rate-limiter.js';
import type { PlannedRequest, RequestItem } from '../../src/braze/types.js';
import { Secret } from '../../src/config/secret.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';
import { FatalRunError } from '../../src/errors.js';
import { seeded } from '../support/random.js';

const KEY = 'deliver-test-key-42';
const time = '2025-03-02T10:00:00Z';
const closers: Array<() => Promise<void>> = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});


interface Harness {
  emulator: RunningEmulator;
  deps: DeliverDeps;
  sleeps: number[];
  record: string;
  retries: Array<[string, number]>;
}

/** The real emulator and client, sharing a fake clock whose sleeps advance it instantly. */
async function harness(options: Partial<EmulatorOptions> = {}, key = KEY): Promise<Harness> {
  let now = 1_741_000_800_000;
  const sleeps: number[] = [];
  const clock = { now: () => now, sleep: async (ms: number) => { sleeps.push(ms); now += ms; } };
  const dir = mkdtempSync(join(tmpdir(), 'deliver-'));
  dirs.push(dir);
  const record = join(dir, 'record.ndjson');
  const emulator = await startEmulator({ apiKey: KEY, port: 0, record, now: clock.now, ...options });
  closers.push(() => emulator.close());
  const client = new BrazeClient({ endpoint: emulator.url, apiKey: new Secret(key), connections: 1, timeoutMs: 5000, userAgent: 'segment-braze/test' });
  closers.push(() => client.close());
  const retries: Array<[string, number]> = [];
  const limiter = new RateLimiter({ rate: 1000, burst: 1000, ...clock });
  const deps: DeliverDeps = { client, limiter, maxRetries: 10, random: seeded(7), ...clock, onRetry: (reason, delay) => retries.push([reason, delay]) };
  return { emulator, deps, sleeps, record, retries };
}

function recorded(file: string): Array<{ array: string; object?: Record<string, unknown>; id?: unknown }> {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { array: string });
  } catch {
    return [];
  }
}

const event = (id: string): RequestItem => ({ array: 'events', value: { external_id: id, name: 'Played', time } });
const track = (items: RequestItem[]): PlannedRequest => ({ path: '/users/track', items });

describe('deliver', () => {
  it('delivers a valid request in one HTTP request', async () => {
    const h = await harness();
    const delivery = await deliver(track([event('u1'), event('u2')]), h.deps);
    expect(delivery).toEqual({ rejected: [], httpRequests: 1, retries: 0 });
    expect(recorded(h.record)).toHaveLength(2);
  });

  it('retries through injected 5xx failures until accepted', async () => {
    const h = await harness({ failRate: 0.5, random: seeded(42) });
    const items = Array.from({ length: 10 }, (_, i) => event(`u${i}`));
    for (let i = 0; i < 8; i++) {
      const delivery = await deliver(track(items), h.deps);
      expect(delivery.rejected).toEqual([]);
    }
    const stats = h.emulator.stats();
    const failures = stats.requests - (stats.byStatus['201'] ?? 0);
    expect(stats.byStatus['201']).toBe(8);
    expect(failures).toBeGreaterThan(0);
    expect(h.retries).toHaveLength(failures);
    expect(h.retries.every(([reason]) => /^HTTP 50[0234] \(Internal Server Error\)$/.test(reason))).toBe(true);
    expect(recorded(h.record)).toHaveLength(80);
  });

  it('counts the retries of one request', async () => {
    const h = await harness({ failRate: 0.5, random: seeded(42) });
    let total = 0;
    for (let i = 0; i < 8; i++) total += (await deliver(track([event(`u${i}`)]), h.deps)).retries;
    expect(total).toBe(h.emulator.stats().requests - 8);
  });

  it('retries connection resets', async () => {
    const h = await harness({ resetRate: 0.5, random: seeded(3) });
    for (let i = 0; i < 6; i++) await deliver(track([event(`u${i}`)]), h.deps);
    expect(h.emulator.stats().byStatus['201']).toBe(6);
    expect(h.retries.length).toBe(h.emulator.stats().byStatus.reset);
    expect(h.retries.length).toBeGreaterThan(0);
  });

  it('waits for the rate-limit reset after a 429, without jitter', async () => {
    const h = await harness({ rateLimit: 2, rateWindowSeconds: 3 });
    for (let i = 0; i < 3; i++) await deliver(track([event(`u${i}`)]), h.deps);
    expect(h.emulator.stats().byStatus).toEqual({ '201': 3, '429': 1 });
    expect(h.retries).toEqual([['HTTP 429 (Rate limited)', 3000]]);
  });

  it('honours retry-after on a 429', async () => {
    const h = await harness({ rateLimit: 1, rateWindowSeconds: 3, retryAfterHeader: true });
    await deliver(track([event('u1')]), h.deps);
    const delivery = await deliver(track([event('u2')]), h.deps);
    expect(delivery.retries).toBe(1);
    expect(h.retries).toEqual([['HTTP 429 (Rate limited)', 3000]]);
  });

  it('bisects a request refused as a whole down to the poisoned item', async () => {
    const h = await harness({ poison: ['u37'] });
    const items = Array.from({ length: 75 }, (_, i) => event(`u${i}`));
    const delivery = await deliver(track(items), h.deps);
    expect(delivery.rejected).toEqual([{ item: 37, reason: 'Bad request: external_id u37 is poisoned (emulator fault injection)' }]);
    expect(delivery.retries).toBe(0);
    const ids = recorded(h.record).map((line) => line.object?.external_id);
    expect(ids).toHaveLength(74);
    expect(new Set(ids).size).toBe(74);
    expect(ids).not.toContain('u37');
    expect(delivery.httpRequests).toBe((h.emulator.stats().byStatus['201'] ?? 0));
  });

  it('maps item errors to the right request items', async () => {
    const h = await harness();
    const items: RequestItem[] = [
      event('u1'),
      { array: 'attributes', value: { external_id: 'u1', plan: 'pro' } },
      { array: 'events', value: { external_id: 'u2', name: '', time } },
      { array: 'purchases', value: { external_id: 'u3', product_id: 'p', currency: 'XYZ', price: 1, time } },
      { array: 'attributes', value: { external_id: 'guest' } },
    ];
    const delivery = await deliver(track(items), h.deps);
    expect(delivery).toEqual({
      rejected: [
        { item: 2, reason: 'Event name must be a non-empty string' },
        { item: 3, reason: 'Invalid currency, must be an ISO 4217 code' },
        { item: 4, reason: 'provided external_id is blacklisted and disallowed' },
      ],
      httpRequests: 1,
      retries: 0,
    });
  });

  it('stops at a 401 after one request', async () => {
    const h = await harness({}, 'the-wrong-key-123');
    const error = await deliver(track([event('u1')]), h.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalRunError);
    expect((error as FatalRunError).code).toBe('unauthorized');
    expect(String((error as FatalRunError).message)).not.toContain('the-wrong-key-123');
    expect(h.emulator.stats().requests).toBe(1);
  });

  it('gives up after maxRetries retries', async () => {
    const h = await harness({ failRate: 1 });
    const error = await deliver(track([event('u1')]), { ...h.deps, maxRetries: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalRunError);
    expect((error as FatalRunError).code).toBe('retries-exhausted');
    expect((error as FatalRunError).message).toMatch(/^Gave up after 3 retries: HTTP 50[0234]/);
    expect(h.emulator.stats().requests).toBe(4);
  });

  it('reports deleted ids and bisects a users/delete request', async () => {
    const h = await harness({ poison: ['u3'] });
    const items = ['u1', 'u2', 'u3', 'u4'].map((id) => ({ array: 'external_ids', value: id }));
    const delivery = await deliver({ path: '/users/delete', items }, h.deps);
    expect(delivery.deleted).toBe(3);
    expect(delivery.rejected.map((r) => r.item)).toEqual([2]);
  });

  it('throws the abort reason during a retry wait', async () => {
    const h = await harness({ failRate: 1 });
    const controller = new AbortController();
    const never = () => new Promise<void>(() => undefined);
    const onRetry = () => queueMicrotask(() => controller.abort(new Error('interrupted')));
    const sending = deliver(track([event('u1')]), { ...h.deps, sleep: never, signal: controller.signal, onRetry });
    await expect(sending).rejects.toThrow('interrupted');
    expect(h.emulator.stats().requests).toBe(1);
  });

  it('throws at once when already aborted', async () => {
    const h = await harness();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(deliver(track([event('u1')]), { ...h.deps, signal: controller.signal })).rejects.toThrow('stop');
    expect(h.emulator.stats().requests).toBe(0);
  });
});
