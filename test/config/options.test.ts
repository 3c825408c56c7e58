import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteConfig, planningWorkers, replayConfig, type Env, type RawOptions } from '../../src/config/options.js';
import { UsageError } from '../../src/errors.js';

const KEY = 'secret-api-key-0123456789';
const env: Env = { BRAZE_API_KEY: KEY, BRAZE_REST_ENDPOINT: 'US-01' };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const replay = (raw: RawOptions = {}, e: Env = env) => replayConfig(['in.ndjson'], raw, e, '/work');
const del = (raw: RawOptions = {}, e: Env = env) => deleteConfig(['ids.txt'], raw, e, '/work');

/** Expects a UsageError whose message names the flag. */
function refuses(make: () => unknown, pattern: RegExp): void {
  let error: unknown;
  try {
    make();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UsageError);
  expect((error as Error).message).toMatch(pattern);
}

describe('replayConfig defaults', () => {
  it('uses the defaults of cli.md', () => {
    const config = replay();
    expect(config).toMatchObject({
      command: 'replay',
      inputs: ['in.ndjson'],
      cwd: '/work',
      dryRun: false,
      batchSize: 75,
      rate: 500,
      concurrency: 8,
      maxRetries: 10,
      timeoutMs: 30_000,
      checkpointEveryMs: 1_000,
      inDoubt: 'resend',
      restart: false,
      takeOverLock: false,
      diff: 'summary',
      format: undefined,
      state: undefined,
      json: false,
      quiet: false,
      endpoint: 'https://rest.iad-01.braze.com',
    });
    expect(config.mapping).toEqual({
      preset: 'classic',
      pages: 'none',
      purchases: 'order-completed',
      time: 'timestamp',
      updateExistingOnly: false,
      appId: undefined,
      includeBrazeEvents: false,
      since: undefined,
      until: undefined,
    });
  });

  it('uses receivedAt as the event time of the actions preset unless --time says otherwise', () => {
    expect(replay({ preset: 'actions' }).mapping.time).toBe('receivedAt');
    expect(replay({ preset: 'actions', time: 'timestamp' }).mapping.time).toBe('timestamp');
    expect(replay({ preset: 'classic', time: 'receivedAt' }).mapping.time).toBe('receivedAt');
  });

  it('returns frozen configs', () => {
    const config = replay();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.mapping)).toBe(true);
  });

  it('reads the mapping flags', () => {
    const config = replay({ updateExistingOnly: true, appId: ' app-1 ', includeBrazeEvents: true, pages: 'all', purchases: 'products', format: 'csv', diff: 'full' });
    expect(config.mapping).toMatchObject({ updateExistingOnly: true, appId: 'app-1', includeBrazeEvents: true, pages: 'all', purchases: 'products' });
    expect(config.format).toBe('csv');
    expect(config.diff).toBe('full');
  });

  it('reads --events and --skip-events as pattern lists, absent by default', () => {
    expect(replay().mapping).toMatchObject({ events: undefined, skipEvents: undefined });
    const config = replay({ events: 'Order *, Signed Up', skipEvents: 'Order Refunded' });
    expect(config.mapping.events).toEqual(['Order *', 'Signed Up']);
    expect(config.mapping.skipEvents).toEqual(['Order Refunded']);
    refuses(() => replay({ events: 'a,,b' }), /--events/);
    refuses(() => replay({ skipEvents: true }), /--skip-events needs a value/);
  });
});

describe('deleteConfig defaults', () => {
  it('uses the delete defaults of cli.md', () => {
    expect(del()).toMatchObject({
      command: 'delete',
      batchSize: 50,
      rate: 50,
      concurrency: 8,
      maxRetries: 10,
      idType: 'external_id',
      aliasLabel: undefined,
      column: undefined,
      field: undefined,
      yes: false,
    });
  });

  it('reads the ID flags', () => {
    expect(del({ idType: 'user_alias', aliasLabel: 'crm', column: 'uid', field: 'user.id', yes: true })).toMatchObject({
      idType: 'user_alias',
      aliasLabel: 'crm',
      column: 'uid',
      field: 'user.id',
      yes: true,
    });
  });
});

describe('numeric limits', () => {
  it('accepts replay --batch-size 1 and 75 and refuses 0 and 76', () => {
    expect(replay({ batchSize: '1' }).batchSize).toBe(1);
    expect(replay({ batchSize: '75' }).batchSize).toBe(75);
    refuses(() => replay({ batchSize: '0' }), /--batch-size must be a whole number from 1 to 75/);
    refuses(() => replay({ batchSize: '76' }), /--batch-size/);
  });

  it('accepts delete --batch-size 50 and refuses 51', () => {
    expect(del({ batchSize: '50' }).batchSize).toBe(50);
    refuses(() => del({ batchSize: '51' }), /--batch-size must be a whole number from 1 to 50/);
    refuses(() => del({ batchSize: '0' }), /--batch-size/);
  });

  it('refuses a batch size that is not a whole number', () => {
    for (const value of ['7.5', '-1', 'abc', '', '1e1']) refuses(() => replay({ batchSize: value }), /--batch-size/);
  });

  it('accepts --workers 1 and 16, refuses 0 and 17, and defaults to planningWorkers of the cores', () => {
    expect(replay({ workers: '1' }).workers).toBe(1);
    expect(replay({ workers: '16' }).workers).toBe(16);
    refuses(() => replay({ workers: '0' }), /--workers must be a whole number from 1 to 16/);
    refuses(() => replay({ workers: '17' }), /--workers must be a whole number from 1 to 16/);
    expect(replay().workers).toBe(planningWorkers(availableParallelism()));
  });

  it('runs one planning thread per core but the main one, at least two (one on one core) and at most four', () => {
    expect([1, 2, 3, 4, 5, 8, 64].map(planningWorkers)).toEqual([1, 2, 2, 3, 4, 4, 4]);
  });

  it('accepts --concurrency 1 and 256 and refuses 0 and 257', () => {
    expect(replay({ concurrency: '1' }).concurrency).toBe(1);
    expect(replay({ concurrency: '256' }).concurrency).toBe(256);
    refuses(() => replay({ concurrency: '0' }), /--concurrency must be a whole number from 1 to 256/);
    refuses(() => replay({ concurrency: '257' }), /--concurrency/);
  });

  it('accepts any positive --rate and refuses 0, negative and non-numbers', () => {
    expect(replay({ rate: '0.5' }).rate).toBe(0.5);
    expect(del({ rate: '1000' }).rate).toBe(1000);
    for (const value of ['0', '-1', '-0.5', 'fast', 'Infinity', '']) refuses(() => replay({ rate: value }), /--rate must be a positive number/);
  });

  it('accepts --max-retries 0 and 100 and refuses 101', () => {
    expect(replay({ maxRetries: '0' }).maxRetries).toBe(0);
    expect(replay({ maxRetries: '100' }).maxRetries).toBe(100);
    refuses(() => replay({ maxRetries: '101' }), /--max-retries/);
  });

  it('takes --timeout in seconds, 1 to 600', () => {
    expect(replay({ timeout: '1' }).timeoutMs).toBe(1_000);
    expect(replay({ timeout: '600' }).timeoutMs).toBe(600_000);
    refuses(() => replay({ timeout: '0' }), /--timeout/);
    refuses(() => replay({ timeout: '601' }), /--timeout/);
  });

  it('takes --checkpoint-every in seconds', () => {
    expect(replay({ checkpointEvery: '2.5' }).checkpointEveryMs).toBe(2_500);
    refuses(() => replay({ checkpointEvery: '0' }), /--checkpoint-every/);
  });
});

describe('--since and --until', () => {
  it('reads dates as UTC midnight, zone-less times as UTC, zoned times and epoch milliseconds', () => {
    expect(replay({ since: '2025-03-01' }).mapping.since).toBe(Date.UTC(2025, 2, 1));
    expect(replay({ since: '2025-03-01T12:30:00' }).mapping.since).toBe(Date.UTC(2025, 2, 1, 12, 30));
    expect(replay({ since: '2025-03-01 12:30:00' }).mapping.since).toBe(Date.UTC(2025, 2, 1, 12, 30));
    expect(replay({ since: '2025-03-01T12:30:00+02:00' }).mapping.since).toBe(Date.UTC(2025, 2, 1, 10, 30));
    expect(replay({ until: '2025-03-01T12:30:00Z' }).mapping.until).toBe(Date.UTC(2025, 2, 1, 12, 30));
    expect(replay({ until: '1740787200000' }).mapping.until).toBe(1740787200000);
  });

  it('accepts --since just before --until', () => {
    const config = replay({ since: '2025-03-01T00:00:00.000Z', until: '2025-03-01T00:00:00.001Z' });
    expect(config.mapping.until! - config.mapping.since!).toBe(1);
  });

  it('refuses --since equal to or after --until', () => {
    refuses(() => replay({ since: '2025-03-01', until: '2025-03-01' }), /--since must be earlier than --until/);
    refuses(() => replay({ since: '2025-03-02', until: '2025-03-01' }), /--since must be earlier than --until/);
  });

  it('refuses text that is not a date', () => {
    refuses(() => replay({ since: 'yesterday' }), /--since is not a date or time/);
    refuses(() => replay({ until: '2025-13-45' }), /--until is not a date or time/);
    refuses(() => replay({ since: '' }), /--since needs a value/);
    refuses(() => replay({ since: true }), /--since needs a value/);
  });
});

describe('choices', () => {
  it('refuses values outside each list and names the allowed ones', () => {
    refuses(() => replay({ preset: 'modern' }), /--preset must be one of classic, actions \(got "modern"\)/);
    refuses(() => replay({ pages: 'some' }), /--pages must be one of none, named, all/);
    refuses(() => replay({ purchases: 'all' }), /--purchases/);
    refuses(() => replay({ time: 'sentAt' }), /--time/);
    refuses(() => replay({ diff: 'brief' }), /--diff/);
    refuses(() => replay({ format: 'xml' }), /--format must be one of ndjson, json, csv/);
    refuses(() => replay({ inDoubt: 'drop' }), /--in-doubt must be one of resend, skip/);
    refuses(() => del({ idType: 'email' }), /--id-type must be one of external_id, braze_id, user_alias/);
  });

  it('is case-sensitive', () => {
    refuses(() => replay({ preset: 'Classic' }), /--preset/);
  });

  it('refuses a flag given without its value', () => {
    refuses(() => replay({ preset: true }), /--preset/);
    refuses(() => replay({ appId: '  ' }), /--app-id needs a value/);
    refuses(() => replay({ state: true }), /--state needs a value/);
  });

  it('accepts --in-doubt skip', () => {
    expect(replay({ inDoubt: 'skip' }).inDoubt).toBe('skip');
  });
});

describe('connection', () => {
  it('needs at least one input', () => {
    refuses(() => replayConfig([], {}, env, '/work'), /No input given/);
    refuses(() => deleteConfig([], {}, env, '/work'), /No input given/);
  });

  it('needs no endpoint or key for a dry run, and keeps neither when given', () => {
    const config = replay({ dryRun: true }, {});
    expect(config.dryRun).toBe(true);
    expect(config.endpoint).toBeUndefined();
    expect(config.apiKey).toBeUndefined();
    const given = replay({ dryRun: true });
    expect(given.endpoint).toBeUndefined();
    expect(given.apiKey).toBeUndefined();
    expect(del({ dryRun: true }, {}).dryRun).toBe(true);
  });

  it('refuses a real run without an endpoint or without a key', () => {
    refuses(() => replay({}, { BRAZE_API_KEY: KEY }), /No Braze endpoint/);
    refuses(() => replay({}, { BRAZE_REST_ENDPOINT: 'US-01' }), /No API key/);
    refuses(() => del({}, { BRAZE_API_KEY: KEY, BRAZE_REST_ENDPOINT: '  ' }), /No Braze endpoint/);
    refuses(() => del({}, { BRAZE_REST_ENDPOINT: 'US-01', BRAZE_API_KEY: '   ' }), /No API key/);
  });

  it('resolves instance names and prefers --endpoint over the environment', () => {
    expect(replay({}, { ...env, BRAZE_REST_ENDPOINT: 'US-01' }).endpoint).toBe('https://rest.iad-01.braze.com');
    expect(replay({}, { ...env, BRAZE_REST_ENDPOINT: 'eu-02' }).endpoint).toBe('https://rest.fra-02.braze.eu');
    expect(replay({ endpoint: 'https://rest.iad-03.braze.com/' }).endpoint).toBe('https://rest.iad-03.braze.com');
    expect(replay({ endpoint: 'http://127.0.0.1:4000' }).endpoint).toBe('http://127.0.0.1:4000');
  });

  it('refuses an invalid endpoint for a real run', () => {
    refuses(() => replay({ endpoint: 'https://sdk.iad-01.braze.com' }), /SDK endpoint/);
    refuses(() => replay({ endpoint: 'XX-99' }), /Unknown Braze instance/);
  });

  it('reads the API key from the environment and trims it', () => {
    expect(replay({}, { ...env, BRAZE_API_KEY: `  ${KEY}\n` }).apiKey?.reveal()).toBe(KEY);
  });

  it('reads the API key from --api-key-file before the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'options-'));
    dirs.push(dir);
    const file = join(dir, 'key');
    writeFileSync(file, 'file-key-abcdef\n');
    expect(replay({ apiKeyFile: file }).apiKey?.reveal()).toBe('file-key-abcdef');
  });

  it('refuses a missing or empty --api-key-file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'options-'));
    dirs.push(dir);
    refuses(() => replay({ apiKeyFile: join(dir, 'missing') }), /Cannot read --api-key-file .*ENOENT/);
    writeFileSync(join(dir, 'empty'), '\n');
    refuses(() => replay({ apiKeyFile: join(dir, 'empty') }), /is empty/);
  });

  it('never reveals the API key when the config is printed or serialised', () => {
    const config = replay();
    expect(JSON.stringify(config)).not.toContain(KEY);
    expect(String(config.apiKey)).not.toContain(KEY);
    expect(`${config.apiKey}`).toBe('[redacted]');
    expect(inspect(config, { depth: 5 })).not.toContain(KEY);
    expect(config.apiKey?.reveal()).toBe(KEY);
  });
});

describe('--s3-endpoint and the S3 page-size test knob', () => {
  it('takes an http(s) URL for replay and delete, and nothing by default', () => {
    expect(replay().s3Endpoint).toBeUndefined();
    expect(replay({ s3Endpoint: 'http://127.0.0.1:9000' }).s3Endpoint).toBe('http://127.0.0.1:9000');
    expect(del({ s3Endpoint: 'https://acct.r2.cloudflarestorage.com/' }).s3Endpoint).toBe('https://acct.r2.cloudflarestorage.com');
  });

  it('refuses other schemes and URLs holding credentials', () => {
    refuses(() => replay({ s3Endpoint: 'ftp://host' }), /--s3-endpoint must start with http/);
    refuses(() => replay({ s3Endpoint: 'http://key:secret@host:9000' }), /--s3-endpoint must not hold credentials/);
    refuses(() => replay({ s3Endpoint: 'not a url' }), /--s3-endpoint must be a URL/);
  });

  it('reads --attribute-memory as bytes with an optional binary unit, 16 bytes to 4 GiB', () => {
    expect(replay().attributeMemoryBytes).toBeUndefined();
    expect(replay({ attributeMemory: '256' }).attributeMemoryBytes).toBe(256);
    expect(replay({ attributeMemory: '512KiB' }).attributeMemoryBytes).toBe(512 * 1024);
    expect(replay({ attributeMemory: '256MiB' }).attributeMemoryBytes).toBe(256 * 2 ** 20);
    expect(replay({ attributeMemory: '4G' }).attributeMemoryBytes).toBe(2 ** 32);
    refuses(() => replay({ attributeMemory: '15' }), /--attribute-memory must be a size from 16 bytes to 4 GiB/);
    refuses(() => replay({ attributeMemory: '5GiB' }), /--attribute-memory/);
    refuses(() => replay({ attributeMemory: '64 parsecs' }), /--attribute-memory/);
    refuses(() => replay({ attributeMemory: '-1' }), /--attribute-memory/);
  });
});
