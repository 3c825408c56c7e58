import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { expectIdentity, readNdjson, readReport } from '../support/files.js';

const TS = '2025-03-02T10:15:00.000Z';
const order = (id: string) => ({
  type: 'track', userId: 'u1', event: 'Order Completed', timestamp: TS, messageId: `m-${id}`,
  properties: { order_id: id, currency: 'USD', products: [{ product_id: 'p1', price: 5, quantity: 1 }] },
});
const messages = [
  order('o1'),
  { type: 'track', userId: 'u1', event: 'Clicked', timestamp: TS, messageId: 'm-c1' },
  { type: 'track', userId: 'u2', event: 'Clicked', timestamp: TS, messageId: 'm-c2' },
  { type: 'track', userId: 'u2', event: 'Signed Up', timestamp: TS, messageId: 'm-s1' },
  { type: 'page', userId: 'u2', name: 'Pricing', timestamp: TS, messageId: 'm-p1' },
  { type: 'identify', userId: 'u2', traits: { plan: 'pro' }, timestamp: TS, messageId: 'm-i1' },
  order('o2'),
];

describe('replay --dry-run --events / --skip-events', () => {
  it('leaves the unselected events out as skipped filtered, with the reason in the diff', async () => {
    const dir = tempDir();
    const input = join(dir, 'archive.ndjson');
    writeFileSync(input, messages.map((m) => JSON.stringify(m)).join('\n') + '\n');
    const state = join(dir, 'state');
    const result = await runCli([
      'replay', input, '--dry-run', '--state', state, '--diff', 'full', '--pages', 'all',
      '--events', 'Order *,Signed Up,Viewed * Page', '--skip-events', 'Signed Up',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = readReport(state);
    expectIdentity(report);
    expect(report.records!.read).toBe(7);
    expect(report.records!.skipped.filtered).toBe(3);
    expect(report.records!.sent).toBe(4);
    expect(report.objects).toMatchObject({ attributes: 1, events: 1, purchases: 2 });
    const bodies = readNdjson<{ body: { events?: Array<{ name: string }> } }>(join(state, 'requests.ndjson'));
    expect(bodies.flatMap((r) => r.body.events ?? []).map((e) => e.name)).toEqual(['Viewed Pricing Page']);
    expect(result.stdout).toContain('event "Clicked" is not in --events');
    expect(result.stdout).toContain('event "Signed Up" matches --skip-events "Signed Up"');
  });

  it('refuses an empty name with exit code 2', async () => {
    const dir = tempDir();
    const input = join(dir, 'archive.ndjson');
    writeFileSync(input, JSON.stringify(messages[0]) + '\n');
    const result = await runCli(['replay', input, '--dry-run', '--state', join(dir, 'state'), '--skip-events', 'Clicked,,x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--skip-events: an empty name');
  });
});
