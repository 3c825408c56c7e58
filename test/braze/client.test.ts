import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BrazeClient } from '../../src/braze/client.js';
import { Secret } from '../../src/config/secret.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';

const KEY = 'client-test-key-42';
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function client(endpoint: string, timeoutMs = 5000): BrazeClient {
  const c = new BrazeClient({ endpoint, apiKey: new Secret(KEY), connections: 2, timeoutMs, userAgent: 'segment-braze/0.1.0' });
  closers.push(() => c.close());
  return c;
}

async function emulator(options: { resetRate?: number } = {}): Promise<RunningEmulator> {
  const e = await startEmulator({ apiKey: KEY, port: 0, ...options });
  closers.push(() => e.close());
  return e;
}

/** A raw server for what the emulator never does: echo the key, hang, capture headers. */
async function rawServer(handler: (headers: IncomingHttpHeaders, respond: (status: number, body: string) => void) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req.headers, (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(body)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('BrazeClient', () => {
  it('returns status, lower-case headers and the parsed body', async () => {
    const e = await emulator();
    const result = await client(e.url).send('/users/track', JSON.stringify({ attributes: [{ external_id: 'u1' }] }));
    expect(result).toMatchObject({ kind: 'response', status: 201, body: { message: 'success', attributes_processed: 1 } });
    expect(result.kind === 'response' && result.headers['x-ratelimit-limit']).toBe('3000');
  });

  it('sends the bulk, auth, content-type and user-agent headers', async () => {
    let seen: IncomingHttpHeaders = {};
    const url = await rawServer((headers, respond) => {
      seen = headers;
      respond(201, '{}');
    });
    await client(url).send('/users/delete', '{}');
    expect([seen['x-braze-bulk'], seen.authorization, seen['content-type'], seen['user-agent']]).toEqual([
      'true',
      `Bearer ${KEY}`,
      'application/json',
      'segment-braze/0.1.0',
    ]);
  });

  it('scrubs the key from what the server says', async () => {
    const url = await rawServer((_headers, respond) => respond(401, `Invalid API key: ${KEY}`));
    const result = await client(url).send('/users/track', '{}');
    expect(result).toMatchObject({ kind: 'response', status: 401, body: 'Invalid API key: [redacted]' });
  });

  it('reports a connection reset as a network result', async () => {
    const e = await emulator({ resetRate: 1 });
    const result = await client(e.url).send('/users/track', '{}');
    expect(result.kind).toBe('network');
  });

  it('reports a slow answer as TIMEOUT', async () => {
    const url = await rawServer(() => undefined);
    const result = await client(url, 100).send('/users/track', '{}');
    expect(result).toMatchObject({ kind: 'network', code: 'TIMEOUT' });
  });

  it('throws the abort reason when aborted', async () => {
    const url = await rawServer(() => undefined);
    const controller = new AbortController();
    const sending = client(url).send('/users/track', '{}', controller.signal);
    controller.abort(new Error('interrupted'));
    await expect(sending).rejects.toThrow('interrupted');
  });
});
