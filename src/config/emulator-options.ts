import type { EmulatorOptions } from '../emulator/server.js';
import type { LimitMode } from '../emulator/validate.js';
import { UsageError } from '../errors.js';
import type { Env, RawOptions } from './options.js';
import { loadSecret } from './secret.js';

/** `segment-braze emulator` flags + env -> EmulatorOptions. */
export function emulatorOptions(raw: RawOptions, env: Env): EmulatorOptions {
  const key = loadSecret(typeof raw.apiKeyFile === 'string' ? raw.apiKeyFile : undefined, env.BRAZE_API_KEY);
  if (!key) throw new UsageError('The emulator needs the API key clients must send: set BRAZE_API_KEY or pass --api-key-file <path>');
  const poison = typeof raw.poison === 'string' ? raw.poison.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  return {
    host: String(raw.host ?? '127.0.0.1'),
    port: bounded(raw.port, 'port', 0, 65535) ?? 4000,
    apiKey: key.reveal(),
    rateLimit: bounded(raw.rateLimit, 'rate-limit', 1, 1e9),
    rateWindowSeconds: bounded(raw.rateWindow, 'rate-window', 0.001, 86400),
    retryAfterHeader: raw.retryAfter === true,
    failRate: bounded(raw.failRate, 'fail-rate', 0, 1),
    resetRate: bounded(raw.resetRate, 'reset-rate', 0, 1),
    latencyMs: bounded(raw.latency, 'latency', 0, 600_000),
    limitMode: (raw.limitMode as LimitMode | undefined) ?? 'combined-75',
    record: typeof raw.record === 'string' ? raw.record : undefined,
    poison,
  };
}

function bounded(value: string | boolean | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${flag} must be a number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  return n;
}
