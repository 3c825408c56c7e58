import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from '../support/cli.js';
import { expectIdentity, readReport } from '../support/files.js';
// @ts-expect-error: a plain ES module without types
import { generateArchive } from '../../scripts/generate-archive.mjs';

const MESSAGES = 40_000;

async function until(condition: () => boolean): Promise<boolean> {
  for (let waited = 0; waited < 60_000; waited += 10) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}

/** Records the checkpoint says are done (0 before the first), and whether the run is complete. */
function progress(state: string): { records: number; complete: boolean } {
  const file = join(state, 'checkpoint.json');
  if (!existsSync(file)) return { records: 0, complete: false };
  // Saved by rename: the file read is always a whole checkpoint.
  const checkpoint = JSON.parse(readFileSync(file, 'utf8')) as { counts: Record<string, number>; complete: boolean };
  return { records: checkpoint.counts['records.read'] ?? 0, complete: checkpoint.complete };
}

/** The page's sections (the header holds the run's times, the footer its state directory). */
function sections(state: string): string {
  const html = readFileSync(join(state, 'report.html'), 'utf8');
  return html.slice(html.indexOf('<main>'), html.indexOf('</main>'));
}

/** What report.json says of where the data points go, and the counters. */
function insights(state: string): unknown {
  const { records, objects, dataPoints, topEvents, topPurchases, topAttributes } = readReport(state) as unknown as Record<string, unknown>;
  return { records, objects, dataPoints, topEvents, topPurchases, topAttributes };
}

describe('a resumed dry run page', () => {
  let archive: string;
  let whole: string;
  // --attributes all: what --attributes changed remembers is not kept across a resume (cli.md), so
  // the data points of a resumed run may be more; --checkpoint-every: a checkpoint at every request.
  const args = (state: string) => ['replay', archive, '--dry-run', '--attributes', 'all', '--state', state, '--checkpoint-every', '0.001', '--quiet'];
  beforeAll(async () => {
    archive = tempDir();
    await generateArchive({ dir: archive, messages: MESSAGES, files: 4, seed: 26, format: 'ndjson', gzip: false, layout: 'flat' });
    whole = tempDir();
    const run = await runCli(args(whole));
    expect(run.code).toBe(0);
  });

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`is the uninterrupted run's page after ${signal} mid-run and a resume`, async () => {
      const state = tempDir();
      const { child, done } = startCli(args(state));
      // Stopped once a checkpoint past the first records is saved, the run not yet complete.
      const midway = await until(() => {
        const p = progress(state);
        return p.complete || p.records > MESSAGES / 10;
      });
      expect(midway).toBe(true);
      child.kill(signal);
      const first = await done;
      const stopped = progress(state);
      expect(stopped.complete).toBe(false);
      expect(stopped.records).toBeGreaterThan(0);
      expect(stopped.records).toBeLessThan(MESSAGES);
      // A run stopped by SIGINT exits 130 itself; its stderr and how it ended say why when it does not.
      if (signal === 'SIGINT') expect(first.code, `ended by ${first.signal}: ${first.stderr}`).toBe(130);
      const resumed = await runCli(args(state));
      expect(resumed.code).toBe(0);
      expectIdentity(readReport(state));
      expect(insights(state)).toEqual(insights(whole));
      expect(sections(state)).toBe(sections(whole));
    });
  }
});
