import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RateWindow, rateHeaders, retryAfterSeconds } from './limits.js';
import { answerDelete, answerTrack, type AcceptedObject, type Answer, type DeletedId, type LimitMode } from './validate.js';

/** Settings of the local Braze-compatible server (cli.md "Emulator"). */
export interface EmulatorOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 4000 */
  port?: number;
  /** The Bearer key requests must carry. */
  apiKey: string;
  /** Requests per window, per path family. @default 3000 for track, 20000 for delete */
  rateLimit?: number;
  /** @default 3 for track, 60 for delete */
  rateWindowSeconds?: number;
  /** Add retry-after to 429 answers (undocumented by Braze, so clients must not need it). @default false */
  retryAfterHeader?: boolean;
  /** Share of requests (0..1) answered 500/502/503/504 before processing. @default 0 */
  failRate?: number;
  /** Share of requests (0..1) whose connection is destroyed before processing. @default 0 */
  resetRate?: number;
  /** Delay before answering, in ms. @default 0 */
  latencyMs?: number;
  /** @default 'combined-75' */
  limitMode?: LimitMode;
  /** NDJSON file that gets each accepted object and deleted ID. */
  record?: string;
  /** external_ids that make the whole request answer 400 (fault injection). */
  poison?: string[];
  /** @default Math.random */
  random?: () => number;
  /** Epoch ms, for the rate windows. @default Date.now */
  now?: () => number;
  /** Waits `latencyMs` before an answer. @default a timer of that many ms */
  wait?: (ms: number) => Promise<void>;
}

/** Counters for tests and the emulator's own summary. */
export interface EmulatorStats {
  requests: number;
  byStatus: Record<string, number>;
  accepted: { attributes: number; events: number; purchases: number; deletedIds: number };
}

export interface RunningEmulator {
  /** `http://HOST:PORT`, usable as --endpoint. */
  readonly url: string;
  readonly port: number;
  stats(): EmulatorStats;
  /** Stops listening and closes every connection, keep-alive ones included. */
  close(): Promise<void>;
}

const PATHS = new Set(['/users/track', '/users/delete']);
const FAILURES = [500, 502, 503, 504];
type Reply = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

/** Starts the emulator; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const emulator = new Emulator(options);
  const server = createServer((req, res) => {
    emulator.handle(req, res).catch(() => res.destroy());
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4000, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stats: () => structuredClone(emulator.stats),
    close: () =>
      new Promise<void>((resolve, reject) => {
        emulator.closed = true;
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Request handling: route, auth, rate limit, faults, then Braze's validation. */
class Emulator {
  /** Set by close(): answers still delayed by --latency are then dropped, not processed. */
  closed = false;
  readonly stats: EmulatorStats = { requests: 0, byStatus: {}, accepted: { attributes: 0, events: 0, purchases: 0, deletedIds: 0 } };
  readonly #options: EmulatorOptions;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #wait: (ms: number) => Promise<void>;
  readonly #poison: ReadonlySet<string>;
  readonly #windows: Record<'track' | 'delete', RateWindow>;

  constructor(options: EmulatorOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    this.#wait = options.wait ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#poison = new Set(options.poison ?? []);
    this.#windows = {
      track: new RateWindow(options.rateLimit ?? 3000, options.rateWindowSeconds ?? 3),
      delete: new RateWindow(options.rateLimit ?? 20_000, options.rateWindowSeconds ?? 60),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    this.stats.requests++;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const window = this.#windows[path === '/users/delete' ? 'delete' : 'track'];
    const early = this.#refusal(req, path);
    if (early !== undefined) return this.#send(res, early, rateHeaders(window.peek(this.#now())));
    const state = window.take(this.#now());
    const headers = rateHeaders(state);
    if (!state.allowed) {
      const retry: Record<string, string> = this.#options.retryAfterHeader ? { 'retry-after': String(retryAfterSeconds(state, this.#now())) } : {};
      return this.#send(res, { status: 429, body: { message: 'Rate limited' } }, { ...headers, ...retry });
    }
    if (this.#options.latencyMs) await this.#wait(this.#options.latencyMs);
    // A client that gave up meanwhile is still processed (Braze would be too: the request is in doubt).
    if (this.closed) return;
    if (this.#random() < (this.#options.resetRate ?? 0)) {
      this.#count('reset');
      res.socket?.destroy();
      return;
    }
    if (this.#random() < (this.#options.failRate ?? 0)) {
      const status = FAILURES[Math.floor(this.#random() * FAILURES.length)] ?? 503;
      return this.#send(res, { status, body: { message: 'Internal Server Error' } }, headers);
    }
    this.#send(res, this.#process(path, text), headers);
  }

  /** 404, 405 and 401 come before the quota is used. The 401 body never echoes the key. */
  #refusal(req: IncomingMessage, path: string): Reply | undefined {
    if (!PATHS.has(path)) return { status: 404, body: { message: 'Not Found' } };
    if (req.method !== 'POST') return { status: 405, body: { message: 'Method Not Allowed' }, headers: { allow: 'POST' } };
    if (req.headers.authorization !== `Bearer ${this.#options.apiKey}`) return { status: 401, body: { message: 'Invalid API key' } };
    return undefined;
  }

  #process(path: string, text: string): Reply {
    if (path === '/users/delete') {
      const answer = answerDelete(text, this.#poison);
      this.#record(answer, (d: DeletedId) => ({ path, array: d.array, id: d.id }));
      this.stats.accepted.deletedIds += answer.accepted.length;
      return answer;
    }
    const answer = answerTrack(text, this.#options.limitMode ?? 'combined-75', this.#poison);
    this.#record(answer, (a: AcceptedObject) => ({ path, array: a.array, object: a.object }));
    for (const accepted of answer.accepted) this.stats.accepted[accepted.array]++;
    return answer;
  }

  /** One append per request, so a test that kills its client still sees all the server accepted. */
  #record<T>(answer: Answer<T>, line: (accepted: T) => unknown): void {
    if (this.#options.record === undefined || answer.accepted.length === 0) return;
    appendFileSync(this.#options.record, answer.accepted.map((a) => `${JSON.stringify(line(a))}\n`).join(''));
  }

  #send(res: ServerResponse, reply: Reply, rate: Record<string, string>): void {
    this.#count(reply.status);
    res.writeHead(reply.status, { 'content-type': 'application/json', ...rate, ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }

  /** byStatus keys are status codes, plus 'reset' for destroyed connections. */
  #count(status: number | 'reset'): void {
    const key = String(status);
    this.stats.byStatus[key] = (this.stats.byStatus[key] ?? 0) + 1;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
    // A client that goes away mid-body: nothing to answer.
    req.once('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}
