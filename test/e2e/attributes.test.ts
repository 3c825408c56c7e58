import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { emulatorFor } from '../support/emulator.js';
import { runCli, startCli, tempDir } from '../support/cli.js';
import { expectIdentity, plannedObjects, readNdjson, readReport, recordedObjects, sorted } from '../support/files.js';

// @ts-expect-error plain JavaScript module without types
import { generateArchive } from '../../scripts/generate-archive.mjs';

const KEY = 'sb-test-key-attributes-15';
const emulate = emulatorFor(KEY);

function live(input: string, url: string, state: string, extra: string[] = []) {
  return runCli(['replay', input, '--endpoint', url, '--state', state, '--quiet', ...extra], { env: { BRAZE_API_KEY: KEY } });
}

type Recorded = { array: string; object: Record<string, unknown> };

/** Every attribute the emulator received, folded in the order received: user -> attribute -> last value. */
function endState(record: string): Record<string, Record<string, string>> {
  const users: Record<string, Record<string, string>> = {};
  for (const { array, object } of readNdjson<Recorded>(record)) {
    if (array !== 'attributes') continue;
    const { external_id, user_alias, braze_id, _update_existing_only, app_id, ...attributes } = object;
    const user = JSON.stringify(external_id ?? user_alias ?? braze_id);
    const state = (users[user] ??= {});
    for (const [key, value] of Object.entries(attributes)) state[key] = JSON.stringify(value);
  }
  return users;
}

/** The attribute values (key=value) the emulator received for one user, in order. */
function sentTo(record: string, user: string): string[] {
  return readNdjson<Recorded>(record)
    .filter((r) => r.array === 'attributes' && r.object.external_id === user)
    .flatMap((r) => Object.entries(r.object).filter(([k]) => k !== 'external_id').map(([k, v]) => `${k}=${JSON.stringify(v)}`));
}

const TS = '2025-03-02T10:15:00.000Z';
const identify = (id: number, traits: Record<string, unknown>, userId = 'u1') => ({ type: 'identify', userId, traits, timestamp: TS, messageId: `m-${id}` });

describe('--attributes changed against the emulator', () => {
  it('sends a repeated trait once, a changed trait again, and A -> B -> A three times', async () => {
    const dir = tempDir();
    const input = join(dir, 'archive.ndjson');
    const messages = [
      identify(1, { email: 'a@x.com', plan: 'free', address: { city: 'Paris', country: 'FR' } }),
      identify(2, { plan: 'free', email: 'a@x.com', address: { country: 'FR', city: 'Paris' } }),
      identify(3, { email: 'a@x.com', plan: 'pro' }),
      identify(4, { email: 'a@x.com', plan: 'free' }),
      identify(5, { email: 'a@x.com', plan: 'free' }, 'u2'),
      { type: 'track', userId: 'u1', event: 'Clicked', timestamp: TS, messageId: 'm-6' },
    ];
    writeFileSync(input, messages.map((m) => JSON.stringify(m)).join('\n') + '\n');
    const { url, record } = await emulate();
    const state = tempDir();
    const result = await live(input, url, state, ['--concurrency', '1', '--batch-size', '2']);
    expect(result.code, result.stderr).toBe(0);
    const u1 = sentTo(record, 'u1');
    expect(u1.filter((v) => v.startsWith('email='))).toEqual(['email="a@x.com"']);
    expect(u1.filter((v) => v.startsWith('plan='))).toEqual(['plan="free"', 'plan="pro"', 'plan="free"']);
    expect(u1.filter((v) => v.startsWith('home_city='))).toHaveLength(1);
    // Another user's equal values are that user's own.
    expect(sentTo(record, 'u2')).toEqual(['email="a@x.com"', 'plan="free"']);
    const report = readReport(state);
    expectIdentity(report);
    expect(report.records!.skipped.unchanged).toBe(1);
    expect(report.records!.sent).toBe(5);
    expect(report.objects!.attributes).toBe(4);
    expect(report.objects!.attributesUnchanged).toBeGreaterThanOrEqual(5);
    // Data points are those sent: the live report's equal the dry run's, and `all` spends the saving more.
    const dry = tempDir();
    expect((await runCli(['replay', input, '--dry-run', '--state', dry, '--batch-size', '2'])).code).toBe(0);
    expect(readReport(dry).dataPoints).toBe(report.dataPoints);
    // Where they go: plan set 3 times for u1 and once for u2, email once each; the one event.
    expect(readReport(dry).topAttributes).toContainEqual({ name: 'plan', dataPoints: 4 });
    expect(readReport(dry).topAttributes).toContainEqual({ name: 'email', dataPoints: 2 });
    expect(readReport(dry).topEvents).toEqual([{ name: 'Clicked', dataPoints: 1 }]);
    const all = tempDir();
    expect((await runCli(['replay', input, '--dry-run', '--state', all, '--attributes', 'all'])).code).toBe(0);
    expect(readReport(all).dataPoints).toBe(report.dataPoints! + report.dataPointsSaved!);
    expect(readReport(all).records!.skipped.unchanged).toBe(0);
  });

  it('--diff full says which attributes were left out and shows the object as sent', async () => {
    const dir = tempDir();
    const input = join(dir, 'archive.ndjson');
    const messages = [
      identify(1, { email: 'a@x.com', plan: 'free' }),
      identify(2, { email: 'a@x.com', plan: 'pro' }),
      identify(3, { plan: 'pro', email: 'a@x.com' }),
    ];
    writeFileSync(input, messages.map((m) => JSON.stringify(m)).join('\n') + '\n');
    const result = await runCli(['replay', input, '--dry-run', '--state', tempDir(), '--diff', 'full']);
    expect(result.code, result.stderr).toBe(0);
    const records = result.stdout.split(/\n(?=\S)/);
    const second = records.find((r) => r.startsWith(`${input}:2 `))!;
    expect(second).toContain('left out, the value last sent to the user (--attributes changed): attributes.email\n');
    expect(second).toContain('=> attributes as sent: {"external_id":"u1","plan":"pro"}');
    const third = records.find((r) => r.startsWith(`${input}:3 `))!;
    expect(third).toContain('(--attributes changed): attributes.email, attributes.plan\n');
    expect(third).toContain('=> attributes: not sent (nothing changed)\n    -> skipped (unchanged): nothing left to send');
    expect(records.find((r) => r.startsWith(`${input}:1 `))).not.toContain('left out');
  });

  describe('on a generated archive', () => {
    let archive: string;
    let allState: Record<string, Record<string, string>>;
    let allPoints: number;
    beforeAll(async () => {
      archive = tempDir();
      await generateArchive({ dir: archive, messages: 3000, files: 2, seed: 15, format: 'ndjson', gzip: false, layout: 'flat' });
    });

    it('ends with the same attributes per user as --attributes all, spending fewer data points', async () => {
      const a = await emulate();
      const stateAll = tempDir();
      expect((await live(archive, a.url, stateAll, ['--attributes', 'all', '--concurrency', '1'])).code).toBe(0);
      allState = endState(a.record);
      allPoints = readReport(stateAll).dataPoints!;
      await a.emulator.close();
      const c = await emulate();
      const stateChanged = tempDir();
      expect((await live(archive, c.url, stateChanged, ['--concurrency', '1'])).code).toBe(0);
      expect(endState(c.record)).toEqual(allState);
      const report = readReport(stateChanged);
      expectIdentity(report);
      expect(report.objects!.attributesUnchanged).toBeGreaterThan(0);
      expect(report.dataPoints! + report.dataPointsSaved!).toBe(allPoints);
      expect(report.dataPoints).toBeLessThan(allPoints);
      expect(Object.keys(allState).length).toBeGreaterThan(50);
    });

    it('ends the same with a memory so small that it forgets', async () => {
      const { url, record } = await emulate();
      const state = tempDir();
      const result = await live(archive, url, state, ['--concurrency', '1', '--attribute-memory', '256']);
      expect(result.code, result.stderr).toBe(0);
      expect(endState(record)).toEqual(allState);
      const report = readReport(state);
      expectIdentity(report);
      // It forgot: it sent more than with the full memory, fewer than with none.
      const full = tempDir();
      expect((await runCli(['replay', archive, '--dry-run', '--state', full, '--diff', 'none'])).code).toBe(0);
      expect(report.dataPoints).toBeGreaterThan(readReport(full).dataPoints!);
      expect(report.dataPoints).toBeLessThanOrEqual(allPoints);
    });

    it('plans the same requests whatever --workers', async () => {
      const one = tempDir();
      const three = tempDir();
      expect((await runCli(['replay', archive, '--dry-run', '--state', one, '--diff', 'none', '--workers', '1'])).code).toBe(0);
      expect((await runCli(['replay', archive, '--dry-run', '--state', three, '--diff', 'none', '--workers', '3'])).code).toBe(0);
      expect(plannedObjects(three)).toEqual(plannedObjects(one));
      expect(readReport(three).objects).toEqual(readReport(one).objects);
    });
  });
});

describe('--max-data-points', () => {
  let archive: string;
  beforeAll(async () => {
    archive = tempDir();
    await generateArchive({ dir: archive, messages: 2000, files: 2, seed: 4, format: 'ndjson', gzip: true, layout: 's3' });
  });

  /** Runs live with half the dry run's estimate (exit 4), then resumes with `resumeBudget(estimate)`. */
  async function stopAndResume(mode: 'all' | 'changed', resumeBudget: (dry: { dataPoints: number; saved: number }) => number) {
    const dry = tempDir();
    expect((await runCli(['replay', archive, '--dry-run', '--state', dry, '--diff', 'none', '--attributes', mode])).code).toBe(0);
    const estimate = readReport(dry).dataPoints!;
    const budget = Math.floor(estimate / 2);
    const { url, record } = await emulate();
    const state = tempDir();
    const flags = ['--attributes', mode, '--concurrency', '1'];
    const stopped = await live(archive, url, state, [...flags, '--max-data-points', String(budget)]);
    expect(stopped.code, stopped.stderr).toBe(4);
    expect(stopped.stderr).toContain('Stopped at the data-point budget');
    expect(stopped.stderr).toContain('higher --max-data-points');
    expect(readReport(state).complete).toBe(false);
    // Never past the budget, and stopped at the request that would have gone past it (< 75 objects).
    expect(recordedPoints(record)).toBeLessThanOrEqual(budget);
    expect(recordedPoints(record)).toBeGreaterThan(budget - 1000);
    const next = resumeBudget({ dataPoints: estimate, saved: readReport(dry).dataPointsSaved ?? 0 });
    const resumed = await live(archive, url, state, [...flags, '--max-data-points', String(next)]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = readReport(state);
    expectIdentity(report);
    return { dry, record, estimate, report };
  }

  it('stops a live run with exit 4 before the budget; a resume with a higher one sends the rest, nothing lost or doubled', async () => {
    const { dry, record, estimate, report } = await stopAndResume('all', (d) => d.dataPoints);
    expect(sorted(recordedObjects(record))).toEqual(sorted(plannedObjects(dry)));
    expect(report.dataPoints).toBe(estimate);
    expect(recordedPoints(record)).toBe(estimate);
    expect(report.records).toEqual(readReport(dry).records);
  });

  it('with --attributes changed, a resume re-sends what it no longer remembers, never less: same events, same end state', async () => {
    // The resumed process starts with an empty memory: it may spend up to what `all` would.
    const { dry, record } = await stopAndResume('changed', (d) => d.dataPoints + d.saved);
    const notAttributes = (list: string[]) => sorted(list.filter((o) => !o.startsWith('attributes ')));
    expect(notAttributes(recordedObjects(record))).toEqual(notAttributes(plannedObjects(dry)));
    const planned = join(tempDir(), 'planned.ndjson');
    writeFileSync(planned, plannedObjects(dry).map((o) => JSON.stringify({ array: o.slice(0, o.indexOf(' ')), object: JSON.parse(o.slice(o.indexOf(' ') + 1)) })).join('\n') + '\n');
    expect(endState(record)).toEqual(endState(planned));
  });

  it('after SIGKILL mid-run, a resumed changed run never skips a value Braze has not received', async () => {
    const dry = tempDir();
    expect((await runCli(['replay', archive, '--dry-run', '--state', dry, '--diff', 'none'])).code).toBe(0);
    const { url, record } = await emulate({ latencyMs: 5 });
    const state = tempDir();
    const args = ['replay', archive, '--endpoint', url, '--state', state, '--quiet', '--concurrency', '1', '--rate', '40', '--checkpoint-every', '0.05'];
    const { child, done } = startCli(args, { env: { BRAZE_API_KEY: KEY } });
    // Killed once requests were received and a checkpoint is past the start (not a fresh run again).
    await until(() => readNdjson(record).length > 150 && existsSync(join(state, 'checkpoint.json')) && checkpointLine(state) > 0);
    child.kill('SIGKILL');
    await done;
    const resumed = await live(archive, url, state, ['--concurrency', '1']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expectIdentity(readReport(state));
    const notAttributes = (list: string[]) => sorted(list.filter((o) => !o.startsWith('attributes ')));
    // The one request in flight at the kill is in doubt and sent again: at least once each.
    const got = new Set(notAttributes(recordedObjects(record)));
    for (const o of notAttributes(plannedObjects(dry))) expect(got.has(o), o).toBe(true);
    const planned = join(tempDir(), 'planned.ndjson');
    writeFileSync(planned, plannedObjects(dry).map((o) => JSON.stringify({ array: o.slice(0, o.indexOf(' ')), object: JSON.parse(o.slice(o.indexOf(' ') + 1)) })).join('\n') + '\n');
    expect(endState(record)).toEqual(endState(planned));
  });

  it('lets a dry run above the budget complete, with a warning', async () => {
    const dir = tempDir();
    const input = join(dir, 'archive.ndjson');
    writeFileSync(input, [identify(1, { email: 'a@x.com', plan: 'free' })].map((m) => JSON.stringify(m)).join('\n') + '\n');
    const state = tempDir();
    const result = await runCli(['replay', input, '--dry-run', '--state', state, '--max-data-points', '1']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('above --max-data-points 1');
    expect(readReport(state).complete).toBe(true);
  });
});

/** Data points of what the emulator recorded (mapping.md §9, as the tool counts them). */
function recordedPoints(record: string): number {
  let points = 0;
  for (const { array, object } of readNdjson<Recorded>(record)) {
    if (array !== 'attributes') {
      const props = object.properties;
      points += 1 + (props && typeof props === 'object' ? Object.keys(props).length : 0);
      continue;
    }
    for (const [key, value] of Object.entries(object)) points += FREE.has(key) ? 0 : key === 'current_location' ? 1 : leaves(value);
  }
  return points;
}

const FREE = new Set(['external_id', 'user_alias', 'braze_id', 'app_id', '_update_existing_only', 'email_subscribe', 'push_subscribe', 'subscription_groups']);

function leaves(value: unknown): number {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 1;
  let n = 0;
  for (const v of Object.values(value)) n += leaves(v);
  return Math.max(n, 1);
}

/** The saved checkpoint's line (0 before any progress). */
function checkpointLine(state: string): number {
  const checkpoint = JSON.parse(readFileSync(join(state, 'checkpoint.json'), 'utf8')) as { cursor: { fileIndex: number; line: number } };
  return checkpoint.cursor.fileIndex * 1_000_000 + checkpoint.cursor.line;
}

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 30_000) throw new Error('condition not reached in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
