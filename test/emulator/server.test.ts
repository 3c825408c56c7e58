import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';

const KEY = 'test-key-0123456789';
const time = '2025-03-02T10:00:00Z';
let running: RunningEmulator[] = [];
let dirs: string[] = [];

async function start(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator> {
  const emulator = await startEmulator({ apiKey: KEY, port: 0, ...options });
  running.push(emulator);
  return emulator;
}

async function post(emulator: RunningEmulator, path: string, body: unknown, key = KEY) {
  const response = await request(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: JSON.parse(text) as Record<string, unknown> };
}

afterEach(async () => {
  await Promise.all(running.map((e) => e.close()));
  running = [];
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe('emulator server', () => {
  it('accepts a valid users/track request with 201', async () => {
    const emulator = await start();
    const answer = await post(emulator, '/users/track', { events: [{ external_id: 'u1', name: 'Played', time }] });
    expect(answer.status).toBe(201);
    expect(answer.json).toEqual({ message: 'success', events_processed: 1 });
    expect(emulator.stats()).toEqual({ requests: 1, byStatus: { '201': 1 }, accepted: { attributes: 0, events: 1, purchases: 0, deletedIds: 0 } });
  });

  it('answers 401 to a wrong key without echoing it', async () => {
    const emulator = await start();
    const answer = await post(emulator, '/users/track', { events: [] }, 'wrong-key-abcdef');
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ message: 'Invalid API key' });
    expect(answer.text).not.toContain('wrong-key-abcdef');
  });

  it('answers 404 to an unknown path and 405 to a GET', async () => {
    const emulator = await start();
    expect((await post(emulator, '/users/export/segment', {})).status).toBe(404);
    const get = await request(`${emulator.url}/users/track`, { method: 'GET', headers: { authorization: `Bearer ${KEY}` } });
    await get.body.text();
    expect(get.statusCode).toBe(405);
  });

  it('sends rate-limit headers and answers 429 past the window', async () => {
    let now = 1_741_000_800_000;
    const emulator = await start({ rateLimit: 2, rateWindowSeconds: 3, now: () => now });
    const body = { attributes: [{ external_id: 'u1', plan: 'pro' }] };
    const first = await post(emulator, '/users/track', body);
    expect([first.headers['x-ratelimit-limit'], first.headers['x-ratelimit-remaining'], first.headers['x-ratelimit-reset']]).toEqual(['2', '1', '1741000803']);
    expect((await post(emulator, '/users/track', body)).status).toBe(201);
    const third = await post(emulator, '/users/track', body);
    expect(third.status).toBe(429);
    expect(third.json).toEqual({ message: 'Rate limited' });
    expect(third.headers['x-ratelimit-remaining']).toBe('0');
    expect(third.headers['retry-after']).toBeUndefined();
    expect((await post(emulator, '/users/delete', { external_ids: ['u1'] })).status).toBe(201);
    now += 3000;
    expect((await post(emulator, '/users/track', body)).status).toBe(201);
  });

  it('adds retry-after to a 429 when asked', async () => {
    const now = 1_741_000_800_500;
    const emulator = await start({ rateLimit: 1, rateWindowSeconds: 3, retryAfterHeader: true, now: () => now });
    await post(emulator, '/users/track', { attributes: [{ external_id: 'u1' }] });
    const limited = await post(emulator, '/users/track', { attributes: [{ external_id: 'u1' }] });
    expect(limited.headers['retry-after']).toBe('3');
  });

  it('records accepted objects and deleted ids, never refused ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-'));
    dirs.push(dir);
    const record = join(dir, 'record.ndjson');
    const emulator = await start({ record });
    await post(emulator, '/users/track', {
      events: [{ external_id: 'u1', name: 'Played', time }, { external_id: 'u2', name: '', time }],
      purchases: [{ external_id: 'u1', product_id: 'p1', currency: 'EUR', price: 2, time }],
    });
    await post(emulator, '/users/track', { events: new Array(76).fill({ external_id: 'u3', name: 'n', time }) });
    await post(emulator, '/users/delete', { external_ids: ['u9'] });
    const lines = readFileSync(record, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(lines).toEqual([
      { path: '/users/track', array: 'events', object: { external_id: 'u1', name: 'Played', time } },
      { path: '/users/track', array: 'purchases', object: { external_id: 'u1', product_id: 'p1', currency: 'EUR', price: 2, time } },
      { path: '/users/delete', array: 'external_ids', id: 'u9' },
    ]);
  });

  it('answers 500-504 for injected failures without processing', async () => {
    const emulator = await start({ failRate: 1, random: () => 0.5 });
    const answer = await post(emulator, '/users/track', { attributes: [{ external_id: 'u1' }] });
    expect(answer.status).toBe(503);
    expect(emulator.stats().accepted.attributes).toBe(0);
  });

  it('resets the connection for injected resets', async () => {
    const emulator = await start({ resetRate: 1 });
    await expect(post(emulator, '/users/track', { attributes: [{ external_id: 'u1' }] })).rejects.toThrow();
    expect(emulator.stats().byStatus).toEqual({ reset: 1 });
  });

  it('closes with keep-alive connections open', async () => {
    const emulator = await startEmulator({ apiKey: KEY, port: 0 });
    await post(emulator, '/users/track', { attributes: [{ external_id: 'u1' }] });
    await emulator.close();
    await expect(post(emulator, '/users/track', {})).rejects.toThrow();
  });

  it('closes while a delayed answer is pending, and drops that answer when its delay ends', async () => {
    // The delay is the test's own: it ends when the test says so, after close().
    let endDelay = () => {};
    let waiting!: () => void;
    const reached = new Promise<void>((resolve) => (waiting = resolve));
    const wait = () =>
      new Promise<void>((resolve) => {
        endDelay = resolve;
        waiting();
      });
    const emulator = await startEmulator({ apiKey: KEY, port: 0, latencyMs: 100, wait });
    const pending = post(emulator, '/users/track', { attributes: [{ external_id: 'u1' }] }).catch((e: unknown) => e);
    // The request is inside its delay: the path under test is reached before the close.
    await reached;
    await emulator.close();
    expect(await pending).toBeInstanceOf(Error);
    endDelay();
    await new Promise((resolve) => setImmediate(resolve));
    expect(emulator.stats().requests).toBe(1);
    expect(emulator.stats().accepted.attributes).toBe(0);
    expect(emulator.stats().byStatus).toEqual({});
  });
});
