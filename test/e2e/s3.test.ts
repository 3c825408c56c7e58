import { gzipSync } from 'node:zlib';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir, type CliResult } from '../support/cli.js';
import { expectIdentity, readReport, type ReportJson } from '../support/files.js';
import { cuttingProxy, s3Env, startS3, type S3Server } from '../support/s3.js';

// @ts-expect-error plain JavaScript module without types
import { generateArchive } from '../../scripts/generate-archive.mjs';

// Every replay here runs with --attributes all: a resumed run starts with an empty attribute memory
// and re-sends what it no longer remembers (attribute-memory.ts), so with `changed` a resumed run is
// not object-for-object the uninterrupted one; test/e2e/attributes.test.ts covers resume with `changed`.

interface S3Report extends ReportJson {
  s3?: { objects: number; bytes: number; bytesRead: number; retried: number };
  inputs: string[];
  files: number;
}

let s3: S3Server;
let archive: string;
/** The dry run of the archive read from disk, which every S3 read must match. */
let fromDisk: { state: string; report: S3Report; requests: string };

beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket('logs');
  archive = tempDir();
  // Segment's layout: segment-logs/<source>/<day>/<n>.gz, one object per day.
  await generateArchive({ dir: archive, messages: 12_000, files: 6, seed: 14, format: 'ndjson', gzip: true, layout: 's3' });
  writeFileSync(join(archive, 'segment-logs', 'README.txt'), 'not an archive\n');
  await s3.putTree('logs', '', archive);
  fromDisk = await dryRun([join(archive, 'segment-logs')]);
});

afterAll(async () => {
  await s3?.close();
});

async function dryRun(inputs: string[], env: Record<string, string | undefined> = {}, extra: string[] = []) {
  const state = tempDir();
  const result = await runCli(['replay', '--attributes', 'all', ...inputs, '--dry-run', '--diff', 'none', '--state', state, '--s3-endpoint', s3.endpoint, ...extra], { env: s3Env(env) });
  expect(result.stderr).not.toMatch(/Internal error/);
  expect(result.code).toBe(0);
  return { state, result, report: readReport(state) as S3Report, requests: readFileSync(join(state, 'requests.ndjson'), 'utf8') };
}

/** The files (or S3 objects) a run read, in order: inputs.ndjson in its state directory. */
function filesRead(state: string): string[] {
  return readFileSync(join(state, 'inputs.ndjson'), 'utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { path: string }).path);
}

/** Same records, objects, requests and data points, and the same requests.ndjson, byte for byte. */
function expectSameRun(got: { report: S3Report; requests: string }): void {
  expectIdentity(got.report);
  expect(got.report.records).toEqual(fromDisk.report.records);
  expect(got.report.objects).toEqual(fromDisk.report.objects);
  expect(got.report.dataPoints).toEqual(fromDisk.report.dataPoints);
  expect(got.report.requests).toEqual(fromDisk.report.requests);
  expect(got.requests).toBe(fromDisk.requests);
  expect(got.requests.length).toBeGreaterThan(0);
}

/** Nothing the tool printed or wrote holds the AWS secret. */
function expectNoSecret(result: CliResult, state: string, secret: string): void {
  expect(result.stdout + result.stderr).not.toContain(secret);
  for (const name of readdirSync(state)) {
    const file = join(state, name);
    if (statSync(file).isFile()) expect(readFileSync(file, 'latin1')).not.toContain(secret);
  }
}

describe('replay s3://', () => {
  it('reads an archive under a prefix to the same report and requests as from disk', async () => {
    const got = await dryRun(['s3://logs/segment-logs/']);
    expectSameRun(got);
    expect(got.report.inputs).toEqual(['s3://logs/segment-logs/']);
    expect(got.report.files).toBe(6);
    const read = filesRead(got.state);
    expect(read).toHaveLength(6);
    expect(read[0]).toMatch(/^s3:\/\/logs\/segment-logs\/Xk3v9Q2pLm\/\d+\/0001\.gz$/);
    expect(got.result.stderr).toContain('Skipping s3://logs/segment-logs/README.txt');
    const listed = got.report.s3!;
    expect(listed.objects).toBe(6);
    expect(listed.bytesRead).toBe(listed.bytes);
    expect(listed.retried).toBe(0);
    // The pinned SDK prints no Node-version warning; the state key comes from the s3:// URLs.
    expect(got.result.stderr).not.toMatch(/NodeVersionSupportWarning|NodeDeprecationWarning|\(node:\d+\)/);
    expectNoSecret(got.result, got.state, 'S3RVER');
  });

  it('pages through a listing of more than 1,000 keys (S3 answers 1,000 a page), globs included, in lexical order', async () => {
    await s3.createBucket('many');
    const keys = Array.from({ length: 1003 }, (_, i) => `hourly/part-${String(i).padStart(4, '0')}.ndjson`);
    for (let at = 0; at < keys.length; at += 25) {
      await Promise.all(
        keys.slice(at, at + 25).map((key, k) => {
          const i = at + k;
          return s3.put('many', key, JSON.stringify({ type: 'identify', userId: `u${i}`, messageId: `m${i}`, traits: { n: i }, timestamp: '2025-03-01T00:00:00Z' }) + '\n');
        }),
      );
    }
    const all = await dryRun(['s3://many/hourly/']);
    expectIdentity(all.report);
    expect(all.report.s3!.objects).toBe(1003);
    expect(all.report.records.read).toBe(1003);
    expect(all.report.records.sent).toBe(1003);
    expect(filesRead(all.state)).toEqual(keys.map((key) => `s3://many/${key}`));
    // A glob whose matches are all on the second page.
    const late = await dryRun(['s3://many/hourly/part-1*.ndjson']);
    expect(filesRead(late.state)).toEqual(keys.slice(1000).map((key) => `s3://many/${key}`));
  });

  it('mixes keys, globs and local files in order', async () => {
    const days = readdirSync(join(archive, 'segment-logs', 'Xk3v9Q2pLm')).sort();
    const local = join(archive, 'segment-logs', 'Xk3v9Q2pLm', days[2]!);
    const mixed = await dryRun([`s3://logs/segment-logs/Xk3v9Q2pLm/${days[0]}/0001.gz`, `s3://logs/segment-logs/Xk3v9Q2pLm/${days[1]}/*.gz`, local, 's3://logs/segment-logs/Xk3v9Q2pLm/17*/000[4-6].gz']);
    expectSameRun(mixed);
    expect(mixed.report.s3!.objects).toBe(5);
  });

  it('reads on after a connection cut mid-object: nothing lost, nothing planned twice, retries counted', async () => {
    // 10 cuts: at most 5 can fall on the heads of objects fetched ahead, so reads are cut mid-object
    // too; and 3 answers 503 SlowDown.
    const proxy = await cuttingProxy(s3.endpoint, 40_000, 10, 3);
    try {
      const got = await dryRun(['s3://logs/segment-logs/'], {}, ['--s3-endpoint', proxy.endpoint]);
      expectSameRun(got);
      expect(proxy.cuts()).toBe(13);
      expect(got.report.s3!.retried).toBe(13);
      expect(got.report.s3!.bytesRead).toBe(got.report.s3!.bytes);
      expect(got.result.stderr).toMatch(/S3 read of s3:\/\/logs\/segment-logs\/\S+ failed at byte \d+ .*reading on from there/);
    } finally {
      await proxy.close();
    }
  });

  it('reads on after a connection that went silent (--timeout)', async () => {
    const proxy = await cuttingProxy(s3.endpoint, 100_000, 2, 0, 'stall');
    try {
      const got = await dryRun(['s3://logs/segment-logs/'], {}, ['--s3-endpoint', proxy.endpoint, '--timeout', '1']);
      expectSameRun(got);
      expect(proxy.cuts()).toBe(2);
      expect(got.report.s3!.retried).toBe(2);
    } finally {
      await proxy.close();
    }
  });

  it('resumes after SIGKILL without fetching the objects before the cursor, and refuses a changed object', async () => {
    const state = tempDir();
    const args = ['replay', '--attributes', 'all', 's3://logs/segment-logs/', '--dry-run', '--diff', 'none', '--state', state, '--s3-endpoint', s3.endpoint, '--checkpoint-every', '0.001'];
    const { child, done } = startCli(args, { env: s3Env() });
    const checkpoint = join(state, 'checkpoint.json');
    const cursor = () => (existsSync(checkpoint) ? (JSON.parse(readFileSync(checkpoint, 'utf8')) as { cursor: { fileIndex: number } }).cursor.fileIndex : 0);
    while (cursor() < 2 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const from = cursor();
    expect(from).toBeGreaterThanOrEqual(2);

    const keys = filesRead(fromDisk.state).map((p) => p.slice(p.indexOf('segment-logs/')));
    const last = keys[keys.length - 1]!;
    const original = readFileSync(join(archive, last));
    // Same size, other bytes: only the ETag tells.
    const changed = Buffer.from(original);
    changed[changed.length - 1] ^= 0xff;
    await s3.put('logs', last, changed);
    const refused = await runCli(args, { env: s3Env() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/changed content \(its ETag differs\)/);
    await s3.put('logs', last, original);

    const resumed = await runCli(args, { env: s3Env() });
    expect(resumed.code).toBe(0);
    const report = readReport(state) as S3Report;
    expectSameRun({ report, requests: readFileSync(join(state, 'requests.ndjson'), 'utf8') });
    const sizes = keys.map((key) => statSync(join(archive, key)).size);
    expect(report.s3!.bytesRead).toBe(sizes.slice(from).reduce((a, b) => a + b, 0));
  });

  it('resumes a plain NDJSON object from the byte it reached (a Range request)', async () => {
    const flat = tempDir();
    await generateArchive({ dir: flat, messages: 9_000, files: 3, seed: 15, format: 'ndjson', gzip: false, layout: 'flat' });
    const names = readdirSync(flat).filter((n) => n.endsWith('.ndjson')).sort();
    for (const name of names) await s3.put('logs', `flat/${name}`, readFileSync(join(flat, name)));
    const whole = tempDir();
    expect((await runCli(['replay', '--attributes', 'all', flat, '--dry-run', '--diff', 'none', '--state', whole])).code).toBe(0);
    const state = tempDir();
    const args = ['replay', '--attributes', 'all', 's3://logs/flat/', '--dry-run', '--diff', 'none', '--state', state, '--s3-endpoint', s3.endpoint, '--checkpoint-every', '0.001'];
    const { child, done } = startCli(args, { env: s3Env() });
    const checkpoint = join(state, 'checkpoint.json');
    type Cursor = { fileIndex: number; line: number; offset: number };
    const cursor = (): Cursor => (existsSync(checkpoint) ? (JSON.parse(readFileSync(checkpoint, 'utf8')) as { cursor: Cursor }).cursor : { fileIndex: 0, line: 0, offset: 0 });
    while (cursor().offset < 300_000 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 2));
    child.kill('SIGKILL');
    await done;
    const at = cursor();
    expect(at.offset).toBeGreaterThanOrEqual(300_000);
    const resumed = await runCli(args, { env: s3Env() });
    expect(resumed.code).toBe(0);
    expect(readFileSync(join(state, 'requests.ndjson'), 'utf8')).toBe(readFileSync(join(whole, 'requests.ndjson'), 'utf8'));
    expect(readReport(state).records).toEqual(readReport(whole).records);
    const sizes = names.map((name) => statSync(join(flat, name)).size);
    const expected = sizes.slice(at.fileIndex).reduce((a, b) => a + b, 0) - at.offset;
    // The objects from the cursor's on, that one from the byte reached (the first chunk of its start is
    // read too, once, to sniff gzip), never its first `offset` bytes again.
    const read = (readReport(state) as S3Report).s3!.bytesRead;
    expect(read).toBeGreaterThanOrEqual(expected);
    expect(read - expected).toBeLessThan(Math.min(at.offset, 256 * 1024));
  });

  it('deletes from an s3:// ID list as from the same file on disk', async () => {
    const ids = ['u-1', 'u-2', 'u-2', ' u-3 ', '', '# comment'].join('\n') + '\n';
    await s3.put('logs', 'privacy/erase.txt.gz', gzipSync(ids));
    const local = join(tempDir(), 'erase.txt.gz');
    writeFileSync(local, gzipSync(ids));
    const run = async (input: string) => {
      const state = tempDir();
      const result = await runCli(['delete', input, '--dry-run', '--state', state, '--s3-endpoint', s3.endpoint], { env: s3Env() });
      expect(result.code).toBe(0);
      return { report: readReport(state), requests: readFileSync(join(state, 'requests.ndjson'), 'utf8') };
    };
    const [remote, disk] = [await run('s3://logs/privacy/erase.txt.gz'), await run(local)];
    expect(remote.report.ids).toEqual({ read: 4, deleted: 3, duplicate: 1, rejected: 0 });
    expect(remote.report.ids).toEqual(disk.report.ids);
    expect(remote.requests).toBe(disk.requests);
  });
});

describe('replay s3:// refusals (exit 2, one line, nothing sent)', () => {
  async function refused(inputs: string[], env: Record<string, string | undefined>): Promise<{ result: CliResult; state: string }> {
    const state = tempDir();
    const result = await runCli(['replay', '--attributes', 'all', ...inputs, '--dry-run', '--state', state, '--s3-endpoint', s3.endpoint], { env: s3Env(env) });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(state, 'requests.ndjson'))).toBe(false);
    return { result, state };
  }

  it('refuses bad credentials, and never prints the secret', async () => {
    const secret = 'wJalrXUtnFEMI-not-a-real-secret-K7MDENG';
    const { result, state } = await refused(['s3://logs/segment-logs/'], { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: secret });
    expect(result.stderr).toMatch(/AWS rejected the credentials used to read s3:\/\/logs\/segment-logs\/ \(InvalidAccessKeyId\)/);
    expect(result.stderr).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expectNoSecret(result, state, secret);
  });

  it('says when there are no credentials at all', async () => {
    const { result } = await refused(['s3://logs/segment-logs/'], { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    expect(result.stderr).toMatch(/No AWS credentials found to read s3:\/\/logs\/segment-logs\//);
  });

  it('names a missing bucket', async () => {
    const { result } = await refused(['s3://no-such-bucket/segment-logs/'], {});
    expect(result.stderr).toMatch(/Bucket not found: s3:\/\/no-such-bucket\/segment-logs\/ \(NoSuchBucket\)/);
  });

  it('names an empty prefix and a glob without match', async () => {
    expect((await refused(['s3://logs/nothing-here/'], {})).result.stderr).toMatch(/No S3 objects under s3:\/\/logs\/nothing-here\//);
    expect((await refused(['s3://logs/segment-logs/*.csv'], {})).result.stderr).toMatch(/No S3 objects match s3:\/\/logs\/segment-logs\/\*\.csv/);
  });
});
