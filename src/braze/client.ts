import { Pool, type Dispatcher } from 'undici';
import type { Secret } from '../config/secret.js';
import type { BrazePath } from './types.js';

/** How to reach Braze. */
export interface ClientOptions {
  /** REST origin without a trailing slash (see resolveEndpoint). */
  readonly endpoint: string;
  readonly apiKey: Secret;
  /** Keep-alive connections in the pool; match --concurrency. */
  readonly connections: number;
  /** Time allowed for the response headers, then for the body, in ms. */
  readonly timeoutMs: number;
  /** `segment-braze/<version>`. */
  readonly userAgent: string;
}

/**
 * What one HTTP exchange produced. `body` is parsed JSON, or the raw text when it is not JSON; header
 * names are lower-case. `network` covers everything without a status: resets, refusals, timeouts
 * (code 'TIMEOUT'). Server texts are scrubbed of the API key.
 */
export type HttpResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: unknown }
  | { kind: 'network'; code: string; message: string };

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/** One keep-alive connection pool to a Braze REST origin. Sends, never retries (see deliver.ts). */
export class BrazeClient {
  readonly #pool: Pool;
  readonly #options: ClientOptions;

  constructor(options: ClientOptions) {
    this.#options = options;
    this.#pool = new Pool(options.endpoint, {
      connections: options.connections,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
    });
  }

  /**
   * POSTs a JSON body. Resolves with a response or a network failure; throws only the abort reason
   * when `signal` aborts, or errors that are not network errors (bugs are not retried).
   *
   * Uses undici's dispatch API with a handler that gathers the (small) response body, rather than
   * request(), which wraps every response in a Readable: ~10,000 requests per million messages made
   * that stream machinery a visible part of the main thread in a live replay.
   */
  send(path: BrazePath, body: string, signal?: AbortSignal): Promise<HttpResult> {
    return new Promise<HttpResult>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let status = 0;
      let headers: Record<string, string> = {};
      let chunks: Buffer[] = [];
      let stopListening = (): void => undefined;
      const fail = (error: unknown): void => {
        stopListening();
        if (signal?.aborted) return reject(signal.reason);
        try {
          resolve(this.#networkResult(error));
        } catch (notNetwork) {
          reject(notNetwork);
        }
      };
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (controller) => {
          if (!signal) return;
          stopListening();
          const abort = (): void => controller.abort(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
          signal.addEventListener('abort', abort, { once: true });
          stopListening = () => signal.removeEventListener('abort', abort);
        },
        onResponseStart: (_controller, statusCode, responseHeaders) => {
          // Called again after a 1xx informational response: only the last one counts.
          status = statusCode;
          headers = flatHeaders(responseHeaders);
          chunks = [];
        },
        onResponseData: (_controller, chunk) => {
          chunks.push(chunk);
        },
        onResponseEnd: () => {
          stopListening();
          const text = this.#options.apiKey.scrub(Buffer.concat(chunks).toString('utf8'));
          resolve({ kind: 'response', status, headers, body: parseBody(text) });
        },
        onResponseError: (_controller, error) => fail(error),
      };
      try {
        this.#pool.dispatch({ origin: this.#options.endpoint, method: 'POST', path, body, headers: this.#headers() }, handler);
      } catch (error) {
        fail(error);
      }
    });
  }

  /** Closes the pool, waiting for requests in flight. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  #headers(): Record<string, string> {
    return {
      'content-type': 'application/json',
      authorization: `Bearer ${this.#options.apiKey.reveal()}`,
      // Marks backfill traffic the way Braze's own bulk-import tools do (cli.md "Connection").
      'x-braze-bulk': 'true',
      'user-agent': this.#options.userAgent,
    };
  }

  #networkResult(error: unknown): HttpResult {
    const code = errorCode(error);
    if (code === undefined) throw error;
    const message = this.#options.apiKey.scrub(error instanceof Error ? error.message : String(error));
    return { kind: 'network', code: TIMEOUT_CODES.has(code) ? 'TIMEOUT' : code, message };
  }
}

/** The most specific code: undici wraps socket errors (UND_ERR_SOCKET) around ECONNRESET and the like. */
function errorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const own = (error as NodeJS.ErrnoException).code;
  const cause = error.cause instanceof Error ? (error.cause as NodeJS.ErrnoException).code : undefined;
  if (own === 'UND_ERR_SOCKET' && typeof cause === 'string') return cause;
  return typeof own === 'string' ? own : cause;
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
