import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { emulatorFor } from '../support/emulator.js';
import { runCli, startCli, tempDir } from '../support/cli.js';
import { expectIdentity, plannedObjects, readNdjson, readReport, recordedObjects, sorted } from '../support/files.js';

// @ts-expect-error plain JavaScript module without types
import { generateArchive } from '../../scripts/generate-archive.mjs';

const KEY = 'sb-stitch-key-5e1f';
const emulate = emulatorFor(KEY);

const T = (hour: number, minute: number) => `2025-01-01T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;
const line = (m: Record<string, unknown>) => JSON.stringify(m);

/**
 * Three files: a visitor browses anonymously (anon-1: page, product, cart, anonymous identify), a second
 * one is aliased later (anon-2), a shared device is used by two users (shared), and anon-late's
 * identify comes two files after its anonymous events.
 */
function archive(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'day1.ndjson'), [
    line({ type: 'page', anonymousId: 'anon-1', name: 'Landing', timestamp: T(10, 0), messageId: 'p1', properties: { utm_source: 'ads' } }),
    line({ type: 'track', anonymousId: 'anon-1', event: 'Product Viewed', timestamp: T(10, 1), messageId: 't1', properties: { sku: 'S1' } }),
    line({ type: 'identify', anonymousId: 'anon-1', traits: { plan: 'trial' }, timestamp: T(10, 2), messageId: 'i0' }),
    line({ type: 'track', anonymousId: 'anon-2', event: 'Product Viewed', timestamp: T(10, 3), messageId: 't2' }),
    line({ type: 'track', anonymousId: 'shared', event: 'Product Viewed', timestamp: T(10, 4), messageId: 't3' }),
    line({ type: 'track', anonymousId: 'anon-late', event: 'Cart Viewed', timestamp: T(10, 5), messageId: 't4' }),
    line({ type: 'track', event: 'No IDs at all', timestamp: T(10, 6), messageId: 't5' }),
    line({ type: 'track', anonymousId: 'nobody', event: 'Bounce', timestamp: T(10, 7), messageId: 't6' }),
  ].join('\n') + '\n');
  writeFileSync(join(dir, 'day2.ndjson'), [
    line({ type: 'identify', userId: 'u1', anonymousId: 'anon-1', traits: { email: 'u1@example.com', plan: 'pro' }, timestamp: T(11, 0), messageId: 'i1' }),
    line({ type: 'track', userId: 'u1', anonymousId: 'anon-1', event: 'Order Completed', timestamp: T(11, 5), messageId: 't7', properties: { products: [{ product_id: 'S1', price: 9.5 }] } }),
    line({ type: 'identify', anonymousId: 'anon-1', traits: { plan: 'free' }, timestamp: T(10, 30), messageId: 'i2' }),
    line({ type: 'alias', userId: 'u2', previousId: 'anon-2', timestamp: T(11, 6), messageId: 'a1' }),
    line({ type: 'track', userId: 'u3', anonymousId: 'shared', event: 'Signed In', timestamp: T(11, 7), messageId: 't8' }),
    line({ type: 'track', userId: 'u4', anonymousId: 'shared', event: 'Signed In', timestamp: T(11, 8), messageId: 't9' }),
  ].join('\n') + '\n');
  writeFileSync(join(dir, 'day3.ndjson'), [
    line({ type: 'identify', userId: 'u5', anonymousId: 'anon-late', traits: { email: 'u5@example.com' }, timestamp: T(12, 0), messageId: 'i3' }),
  ].join('\n') + '\n');
  return dir;
}

interface Sent {
  array: string;
  external_id: string;
  name?: string;
  time?: string;
  [key: string]: unknown;
}

function sentObjects(state: string): Sent[] {
  return plannedObjects(state).map((text) => {
    const space = text.indexOf(' ');
    return { array: text.slice(0, space), ...(JSON.parse(text.slice(space + 1)) as Omit<Sent, 'array'>) };
  });
}

describe('replay --stitch', () => {
  let dir: string;
  beforeAll(() => {
    dir = archive();
  });

  it('sends the anonymous history of users who signed up later as those users, with its own times', async () => {
    const state = tempDir();
    const result = await runCli(['replay', dir, '--dry-run', '--stitch', '--pages', 'all', '--state', state]);
    expect(result.code, result.stderr).toBe(0);
    const sent = sentObjects(state);
    const of = (user: string) => sent.filter((o) => o.external_id === user);
    // anon-1 before its identify: the page, the product view and the anonymous identify, as u1.
    expect(of('u1').filter((o) => o.array === 'events').map((o) => [o.name, o.time])).toEqual([
      ['Viewed Landing Page', T(10, 0)],
      ['Product Viewed', T(10, 1)],
    ]);
    expect(of('u1').find((o) => o.name === 'Viewed Landing Page')!['properties']).toEqual({ name: 'Landing', utm_source: 'ads' });
    expect(of('u1').filter((o) => o.array === 'attributes').map((o) => o['plan'])).toEqual(['trial', 'pro']);
    expect(of('u1').filter((o) => o.array === 'purchases')).toHaveLength(1);
    // An alias link, and a late link (the identify is two files after the events).
    expect(of('u2').map((o) => [o.name, o.time])).toEqual([['Product Viewed', T(10, 3)]]);
    expect(of('u5').filter((o) => o.array === 'events').map((o) => [o.name, o.time])).toEqual([['Cart Viewed', T(10, 5)]]);
    // The shared device's anonymous view goes to nobody.
    expect(of('u3').map((o) => o.name)).toEqual(['Signed In']);
    expect(of('u4').map((o) => o.name)).toEqual(['Signed In']);
    expect(sent.filter((o) => o.name === 'Product Viewed')).toHaveLength(2);

    const report = JSON.parse(readFileSync(join(state, 'report.json'), 'utf8'));
    expectIdentity(report);
    expect(report.records.stitched).toBe(5);
    // The anonymous identify at 10:30, after u1's 11:00 identify in the archive and older: left out.
    expect(report.records.anonymous).toEqual({ unlinked: 1, ambiguous: 1, noAnonymousId: 1, olderTraits: 1 });
    expect(report.records.skipped.anonymous).toBe(4);
    expect(of('u1').some((o) => o['plan'] === 'free')).toBe(false);
    expect(result.stdout).toMatch(/anonymousId -> external_id \(stitched\) .*day1\.ndjson:1 \(linked by .*day2\.ndjson:1\)/);
    expect(result.stdout).toMatch(/stitched\s+5 anonymous records recovered/);
    expect(result.stdout).toMatch(/ambiguous 1/);
  });

  it('without --stitch skips them as anonymous and says how many carry an anonymousId', async () => {
    const state = tempDir();
    const result = await runCli(['replay', dir, '--dry-run', '--pages', 'all', '--state', state]);
    expect(result.code).toBe(0);
    const report = JSON.parse(readFileSync(join(state, 'report.json'), 'utf8'));
    expectIdentity(report);
    expect(report.records.stitched).toBeUndefined();
    expect(report.records.skipped.anonymous).toBe(9);
    expect(report.records.anonymous).toEqual({ unlinked: 8, ambiguous: 0, noAnonymousId: 1, olderTraits: 0 });
    expect(result.stdout).toMatch(/8 of 9 anonymous records carry an anonymousId: --stitch may recover some of them/);
  });

  it('sends to Braze what the dry run planned', async () => {
    const { url, record } = await emulate();
    const state = tempDir();
    const live = await runCli(['replay', dir, '--stitch', '--pages', 'all', '--endpoint', url, '--state', state, '--quiet'], { env: { BRAZE_API_KEY: KEY } });
    expect(live.code, live.stderr).toBe(0);
    const dry = tempDir();
    await runCli(['replay', dir, '--dry-run', '--stitch', '--pages', 'all', '--state', dry, '--diff', 'none']);
    expect(sorted(recordedObjects(record))).toEqual(sorted(plannedObjects(dry)));
    const report = readReport(state) as ReturnType<typeof readReport> & { records: { stitched: number } };
    expectIdentity(report);
    expect(report.records.stitched).toBe(5);
  });

  it('refuses stdin (it cannot be read twice)', async () => {
    const result = await runCli(['replay', '-', '--dry-run', '--stitch'], { input: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--stitch/);
  });
});

/**
 * The generator's visitors are never identified: a last file links two in three of their anonymousIds
 * to a user (an identify carrying both), and one in seven of those to a second user too (ambiguous).
 */
function linkVisitors(dir: string): void {
  const visitors = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.gz'))) {
    for (const text of gunzipSync(readFileSync(join(dir, name))).toString('utf8').split('\n')) {
      if (text === '') continue;
      const m = JSON.parse(text) as { userId?: unknown; anonymousId?: unknown };
      if (m.userId == null && typeof m.anonymousId === 'string') visitors.add(m.anonymousId);
    }
  }
  const lines: string[] = [];
  [...visitors].forEach((anonymousId, i) => {
    if (i % 3 === 2) return;
    lines.push(line({ type: 'identify', userId: `late-${i}`, anonymousId, traits: { signedUp: true }, timestamp: T(23, 0), messageId: `late-${i}` }));
    if (i % 7 === 0) lines.push(line({ type: 'track', userId: `other-${i}`, anonymousId, event: 'Signed In', timestamp: T(23, 1), messageId: `other-${i}` }));
  });
  writeFileSync(join(dir, 'zz-links.ndjson'), lines.join('\n') + '\n');
}

/** Resolves once `condition` holds (checked every 10 ms; fails the test after 60 s). */
async function until(condition: () => boolean, exited: () => boolean): Promise<boolean> {
  for (let waited = 0; !condition(); waited += 10) {
    if (exited()) return false;
    if (waited > 60_000) throw new Error('condition not reached in 60 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

interface SavedCheckpoint {
  pass?: string;
  cursor: { fileIndex: number; line: number };
  complete: boolean;
}

function checkpoint(state: string): SavedCheckpoint | undefined {
  const file = join(state, 'checkpoint.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SavedCheckpoint) : undefined;
}

/** Runs the command, SIGKILLs it once `progressed` holds, and returns whether it was killed there. */
async function killWhen(args: string[], progressed: (c: SavedCheckpoint) => boolean): Promise<boolean> {
  const { child, done } = startCli(args);
  let exited = false;
  void done.then(() => (exited = true));
  const reached = await until(() => {
    const c = checkpoint(args[args.indexOf('--state') + 1]!);
    return c !== undefined && progressed(c);
  }, () => exited);
  if (reached) child.kill('SIGKILL');
  const result = await done;
  return reached && result.signal === 'SIGKILL';
}

describe('replay --stitch after SIGKILL', () => {
  let dir: string;
  let whole: string;
  // --attributes all: a resumed `changed` run re-sends what it no longer remembers, by design.
  const args = (state: string) => ['replay', dir, '--attributes', 'all', '--dry-run', '--stitch', '--pages', 'all', '--state', state, '--diff', 'none', '--checkpoint-every', '0.02', '--workers', '2', '--quiet'];
  beforeAll(async () => {
    dir = tempDir();
    await generateArchive({ dir, messages: 40_000, files: 4, seed: 16, format: 'ndjson', gzip: true, layout: 'flat' });
    linkVisitors(dir);
    whole = tempDir();
    expect((await runCli(args(whole))).code).toBe(0);
    expect(readNdjson(join(whole, 'requests.ndjson')).length).toBeGreaterThan(0);
    const records = readReport(whole).records as unknown as { stitched: number; anonymous: { ambiguous: number } };
    expect(records.stitched).toBeGreaterThan(1000);
    expect(records.anonymous.ambiguous).toBeGreaterThan(0);
  }, 120_000);

  const past = (c: SavedCheckpoint) => c.cursor.fileIndex > 0 || c.cursor.line > 0;

  it('killed during the index pass, continues it and gives the same requests as one uninterrupted run', async () => {
    const state = tempDir();
    const killed = await killWhen(args(state), (c) => c.pass === 'index' && past(c));
    expect(killed).toBe(true);
    // Killed in the index pass, past its start: the resume continues it from there.
    const saved = checkpoint(state)!;
    expect(saved.pass).toBe('index');
    expect(past(saved)).toBe(true);
    expect((await runCli(args(state))).code).toBe(0);
    expect(readFileSync(join(state, 'requests.ndjson'), 'utf8')).toBe(readFileSync(join(whole, 'requests.ndjson'), 'utf8'));
    const report = readReport(state);
    expectIdentity(report);
    expect(report.records).toEqual(readReport(whole).records);
  }, 120_000);

  it('killed during the replay pass, reuses the index (not rebuilt) and gives the same requests', async () => {
    const state = tempDir();
    const killed = await killWhen(args(state), (c) => c.pass === undefined && past(c) && !c.complete);
    expect(killed).toBe(true);
    const saved = checkpoint(state)!;
    expect(saved.pass).toBeUndefined();
    const index = indexFiles(state);
    expect(index.length).toBeGreaterThan(0);
    expect((await runCli(args(state))).code).toBe(0);
    // The index files were not written again: the replay pass resumed with the index as it was.
    expect(indexFiles(state)).toEqual(index);
    expect(readFileSync(join(state, 'requests.ndjson'), 'utf8')).toBe(readFileSync(join(whole, 'requests.ndjson'), 'utf8'));
    const report = readReport(state);
    expectIdentity(report);
    expect(report.records).toEqual(readReport(whole).records);
  }, 120_000);

  it('with checkpoints an hour apart, still checkpoints the index pass as its memory fills (50,000 entries), and resumes from there', async () => {
    // 150,000 aliases (one index entry each), then anonymous tracks of some of them.
    const input = tempDir();
    const lines = Array.from({ length: 150_000 }, (_, i) => `{"type":"alias","previousId":"a${i}","userId":"u${i}","messageId":"l${i}"}`);
    for (let k = 0; k < 50; k++) lines.push(line({ type: 'track', anonymousId: `a${k * 3000}`, event: 'Viewed', timestamp: T(12, k), messageId: `t${k}` }));
    writeFileSync(join(input, 'links.ndjson'), lines.join('\n') + '\n');
    const hourly = (state: string) => ['replay', input, '--dry-run', '--stitch', '--diff', 'none', '--state', state, '--checkpoint-every', '3600', '--quiet'];
    const uninterrupted = tempDir();
    expect((await runCli(hourly(uninterrupted))).code).toBe(0);
    const state = tempDir();
    expect(await killWhen(hourly(state), (c) => c.pass === 'index' && past(c))).toBe(true);
    expect(checkpoint(state)!.cursor.line).toBeLessThan(150_000);
    expect((await runCli(hourly(state))).code).toBe(0);
    expect(readFileSync(join(state, 'requests.ndjson'), 'utf8')).toBe(readFileSync(join(uninterrupted, 'requests.ndjson'), 'utf8'));
    expect((readReport(state).records as unknown as { stitched: number }).stitched).toBe(50);
  }, 120_000);
});

/** The identity index's files: name, size and modification time of each. */
function indexFiles(state: string): Array<[string, number, number]> {
  const dir = join(state, 'identity');
  return readdirSync(dir).sort().map((name) => {
    const stat = statSync(join(dir, name));
    return [name, stat.size, stat.mtimeMs];
  });
}
