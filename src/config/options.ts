import { availableParallelism } from 'node:os';
import { resolveEndpoint } from './endpoint.js';
import type { LimitMode } from '../emulator/validate.js';
import { UsageError } from '../errors.js';
import type { InputFormat } from '../input/types.js';
import type { IdType } from '../input/id-list.js';
import type { MappingSettings, PagesMode, Preset, PurchasesMode, TimeField } from '../transform/types.js';
import { parseEventPatterns } from '../transform/events/event-names.js';
import { loadSecret, type Secret } from './secret.js';
import { dedupWindow, keepRequests, type DedupWindowSetting } from './dedup-window.js';
import { loadMapping } from './mapping/load.js';

/** What the diff of a dry run prints. @default 'summary' */
export type DiffMode = 'summary' | 'full' | 'none';

/** Settings shared by replay and delete. */
export interface CommonConfig {
  readonly inputs: readonly string[];
  readonly cwd: string;
  readonly dryRun: boolean;
  /** @default 8 */
  readonly concurrency: number;
  /** Requests per second. @default 500 (replay), 50 (delete) */
  readonly rate: number;
  /** @default 10 */
  readonly maxRetries: number;
  /** Per-request timeout. @default 30000 */
  readonly timeoutMs: number;
  /** Undefined in a dry run. */
  readonly endpoint: string | undefined;
  readonly apiKey: Secret | undefined;
  readonly state: string | undefined;
  readonly restart: boolean;
  /** --take-over-lock: take the state directory's lock from a run on another host (state-lock.ts). @default false */
  readonly takeOverLock: boolean;
  /** @default 'resend' */
  readonly inDoubt: 'resend' | 'skip';
  /** How often the checkpoint is saved while requests are acknowledged. @default 1000 */
  readonly checkpointEveryMs: number;
  readonly json: boolean;
  readonly quiet: boolean;
  /** --s3-endpoint: an S3-compatible store for s3:// inputs, addressed path-style. @default AWS */
  readonly s3Endpoint: string | undefined;
  /** --keep-requests: requests a dry run writes to requests.ndjson (the first n); Infinity for all. @default 10000 */
  readonly keepRequests: number;
}

export interface ReplayConfig extends CommonConfig {
  readonly command: 'replay';
  readonly format: InputFormat | undefined;
  readonly mapping: MappingSettings;
  /** Objects per users/track request, all arrays together: 1-75. @default 75 */
  readonly batchSize: number;
  readonly diff: DiffMode;
  /** Threads that parse and map NDJSON lines. @default planningWorkers(cores) */
  readonly workers: number;
  /** --dedup-window. @default 48h */
  readonly dedupWindow: DedupWindowSetting;
  /** Send an attribute only when its value changed for the user ('changed'), or every time. @default 'changed' */
  readonly attributes: 'changed' | 'all';
  /** --max-data-points: a live run stops (exit 4) before the request that would go past it. */
  readonly maxDataPoints: number | undefined;
  /** --attribute-memory: bytes of the memory of values sent (`--attributes changed`). @default 64 MiB */
  readonly attributeMemoryBytes: number | undefined;
  /** --stitch: build the identity index first and send anonymous-only records as their linked user. @default false */
  readonly stitch: boolean;
}

export interface DeleteConfig extends CommonConfig {
  readonly command: 'delete';
  readonly idType: IdType;
  readonly aliasLabel: string | undefined;
  readonly column: string | undefined;
  readonly field: string | undefined;
  /** IDs per users/delete request: 1-50. @default 50 */
  readonly batchSize: number;
  readonly yes: boolean;
}

/** The raw values commander hands over (strings, booleans). */
export type RawOptions = Record<string, string | boolean | undefined>;

/** The flags with a closed set of values: the one list that --help (cli.ts) offers and the checks below accept. */
export const CHOICES = {
  format: ['ndjson', 'json', 'csv'],
  preset: ['classic', 'actions'],
  pages: ['none', 'named', 'all'],
  purchases: ['order-completed', 'products', 'revenue', 'none'],
  time: ['timestamp', 'receivedAt'],
  attributes: ['changed', 'all'],
  diff: ['summary', 'full', 'none'],
  inDoubt: ['resend', 'skip'],
  idType: ['external_id', 'braze_id', 'user_alias'],
  limitMode: ['combined-75', 'per-array-75', 'combined-50'] satisfies LimitMode[],
} as const;

/** The environment variables the tool reads; passed in so that nothing else reads process.env. */
export interface Env {
  readonly BRAZE_API_KEY?: string;
  readonly BRAZE_REST_ENDPOINT?: string;
}

export function replayConfig(inputs: string[], raw: RawOptions, env: Env, cwd: string): ReplayConfig {
  const preset = choice<Preset>(raw.preset, 'preset', CHOICES.preset, 'classic');
  const mapping: MappingSettings = {
    preset,
    pages: choice<PagesMode>(raw.pages, 'pages', CHOICES.pages, 'none'),
    purchases: choice<PurchasesMode>(raw.purchases, 'purchases', CHOICES.purchases, 'order-completed'),
    time: choice<TimeField>(raw.time, 'time', CHOICES.time, preset === 'actions' ? 'receivedAt' : 'timestamp'),
    updateExistingOnly: raw.updateExistingOnly === true,
    appId: text(raw.appId, 'app-id'),
    includeBrazeEvents: raw.includeBrazeEvents === true,
    since: instant(raw.since, 'since'),
    until: instant(raw.until, 'until'),
    events: parseEventPatterns(text(raw.events, 'events'), 'events'),
    skipEvents: parseEventPatterns(text(raw.skipEvents, 'skip-events'), 'skip-events'),
    rules: mappingRules(text(raw.mapping, 'mapping'), cwd),
  };
  if (mapping.since !== undefined && mapping.until !== undefined && mapping.since >= mapping.until) {
    throw new UsageError('--since must be earlier than --until');
  }
  return Object.freeze({
    command: 'replay' as const,
    ...common(inputs, raw, env, cwd, 500),
    format: raw.format === undefined ? undefined : choice<InputFormat>(raw.format, 'format', CHOICES.format, 'ndjson'),
    mapping: Object.freeze(mapping),
    batchSize: integer(raw.batchSize, 'batch-size', 1, 75, 75),
    diff: choice<DiffMode>(raw.diff, 'diff', CHOICES.diff, 'summary'),
    workers: integer(raw.workers, 'workers', 1, 16, planningWorkers(availableParallelism())),
    dedupWindow: dedupWindow(raw.dedupWindow),
    attributes: choice(raw.attributes, 'attributes', CHOICES.attributes, 'changed'),
    maxDataPoints: raw.maxDataPoints === undefined ? undefined : integer(raw.maxDataPoints, 'max-data-points', 1, Number.MAX_SAFE_INTEGER, 0),
    attributeMemoryBytes: size(raw.attributeMemory, 'attribute-memory', 16, 2 ** 32),
    stitch: stitchFlag(raw.stitch === true, inputs),
  });
}

/** --mapping: read and compiled once, before anything else is read (a bad file is exit 2). */
function mappingRules(file: string | undefined, cwd: string): MappingSettings['rules'] {
  return file === undefined ? undefined : Object.freeze(loadMapping(file, cwd));
}

/** --stitch reads the inputs twice: stdin cannot be read twice. */
function stitchFlag(stitch: boolean, inputs: readonly string[]): boolean {
  if (stitch && inputs.includes('-')) throw new UsageError('--stitch reads the inputs twice (the identity index first): it cannot read stdin (-); save it to a file');
  return stitch;
}

/**
 * The default number of planning threads for `cores` cores: one per core but the main thread's, at
 * least two (on two cores, two workers beside the main thread beat one: a 1M-message dry run took
 * 9.8 s against 10.5 s) and at most four (the main thread, which reads, de-duplicates and batches in
 * input order, keeps up with about three and a half: it spends ~2.8 µs a record where a worker spends ~9).
 */
export function planningWorkers(cores: number): number {
  return Math.max(Math.min(2, cores), Math.min(4, cores - 1));
}

export function deleteConfig(inputs: string[], raw: RawOptions, env: Env, cwd: string): DeleteConfig {
  const idType = choice<IdType>(raw.idType, 'id-type', CHOICES.idType, 'external_id');
  return Object.freeze({
    command: 'delete' as const,
    ...common(inputs, raw, env, cwd, 50),
    idType,
    aliasLabel: text(raw.aliasLabel, 'alias-label'),
    column: text(raw.column, 'column'),
    field: text(raw.field, 'field'),
    batchSize: integer(raw.batchSize, 'batch-size', 1, 50, 50),
    yes: raw.yes === true,
  });
}

function common(inputs: string[], raw: RawOptions, env: Env, cwd: string, defaultRate: number): CommonConfig {
  if (inputs.length === 0) throw new UsageError('No input given: name files, directories, quoted globs or - for stdin');
  const dryRun = raw.dryRun === true;
  const endpointText = text(raw.endpoint, 'endpoint') ?? env.BRAZE_REST_ENDPOINT?.trim();
  const endpoint = endpointText ? resolveEndpoint(endpointText) : undefined;
  const apiKey = loadSecret(text(raw.apiKeyFile, 'api-key-file'), env.BRAZE_API_KEY);
  if (!dryRun && endpoint === undefined) {
    throw new UsageError('No Braze endpoint: pass --endpoint <url|instance> (e.g. US-01) or set BRAZE_REST_ENDPOINT, or use --dry-run');
  }
  if (!dryRun && apiKey === undefined) {
    throw new UsageError('No API key: set BRAZE_API_KEY or pass --api-key-file <path>, or use --dry-run');
  }
  return {
    inputs,
    cwd,
    dryRun,
    concurrency: integer(raw.concurrency, 'concurrency', 1, 256, 8),
    rate: number(raw.rate, 'rate', defaultRate),
    maxRetries: integer(raw.maxRetries, 'max-retries', 0, 100, 10),
    timeoutMs: integer(raw.timeout, 'timeout', 1, 600, 30) * 1000,
    endpoint: dryRun ? undefined : endpoint,
    apiKey: dryRun ? undefined : apiKey,
    state: text(raw.state, 'state'),
    restart: raw.restart === true,
    takeOverLock: raw.takeOverLock === true,
    inDoubt: choice(raw.inDoubt, 'in-doubt', CHOICES.inDoubt, 'resend'),
    checkpointEveryMs: Math.round(number(raw.checkpointEvery, 'checkpoint-every', 1) * 1000),
    json: raw.json === true,
    quiet: raw.quiet === true,
    s3Endpoint: s3Endpoint(text(raw.s3Endpoint, 's3-endpoint')),
    keepRequests: keepRequests(raw.keepRequests),
  };
}

/** --s3-endpoint: an http(s) URL with no credentials in it (they come from the AWS chain). */
function s3Endpoint(given: string | undefined): string | undefined {
  if (given === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new UsageError(`--s3-endpoint must be a URL such as http://127.0.0.1:9000 (got ${JSON.stringify(given)})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--s3-endpoint must start with http:// or https://');
  if (url.username || url.password) throw new UsageError('--s3-endpoint must not hold credentials: use AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  return url.origin + (url.pathname === '/' ? '' : url.pathname);
}

function text(value: string | boolean | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${flag} needs a value`);
  return value.trim();
}

function choice<T extends string>(value: string | boolean | undefined, flag: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
}

function integer(value: string | boolean | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  }
  return n;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, kib: 2 ** 10, m: 2 ** 20, mib: 2 ** 20, g: 2 ** 30, gib: 2 ** 30 };

/** A size in bytes, with an optional binary unit: 4096, 512KiB, 256MiB, 1GiB (K, M, G alike). */
function size(value: string | boolean | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const match = typeof value === 'string' ? /^(\d+)\s*([a-z]*)$/i.exec(value.trim()) : null;
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  const n = match && unit !== undefined ? Number(match[1]) * unit : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} must be a size from ${min} bytes to ${max / 2 ** 30} GiB, such as 256MiB (got ${JSON.stringify(value)})`);
  }
  return n;
}

function number(value: string | boolean | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a positive number (got ${JSON.stringify(value)})`);
  return n;
}

/** --since/--until: an ISO 8601 date or date-time (UTC unless it says otherwise), or epoch ms. */
function instant(value: string | boolean | undefined, flag: string): number | undefined {
  const given = text(value, flag);
  if (given === undefined) return undefined;
  if (/^\d{12,}$/.test(given)) return Number(given);
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(given) ? `${given}T00:00:00Z` : given;
  const zoned = /[zZ]|[+-]\d{2}:?\d{2}$/.test(iso) ? iso : `${iso.replace(' ', 'T')}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) throw new UsageError(`--${flag} is not a date or time: ${JSON.stringify(given)} (use e.g. 2025-03-01 or 2025-03-01T12:00:00Z)`);
  return ms;
}
