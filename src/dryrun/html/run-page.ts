import { join } from 'node:path';
import type { CommonConfig, ReplayConfig } from '../../config/options.js';
import { writeFileAtomic } from '../../state/atomic-file.js';
import type { Report } from '../../state/report.js';
import type { PageMemory } from '../page-memory.js';
import { liveCommand } from './live-command.js';
import { renderPage } from './page.js';
import type { PageData } from './page-data.js';

export const PAGE_FILE = 'report.html';

/** Writes the dry run's page beside report.json (atomically, like every state file); returns its path. */
export function writePage(dir: string, data: PageData): string {
  const file = join(dir, PAGE_FILE);
  writeFileAtomic(file, renderPage(data));
  return file;
}

/** The replay dry run's page data: the report, what the page memory counted, the settings. */
export function replayPage(report: Report, config: ReplayConfig, memory: PageMemory, command: string): PageData {
  const m = config.mapping;
  const settings: Array<[string, string]> = [
    ['--preset', m.preset],
    ['--pages', m.pages],
    ['--purchases', m.purchases],
    ['--time', m.time],
    ['--attributes', config.attributes],
    ['--dedup-window', config.dedupWindow.text],
    ['--batch-size', String(config.batchSize)],
    ['--rate', String(config.rate)],
    ['--concurrency', String(config.concurrency)],
  ];
  if (m.events) settings.push(['--events', m.events.join(',')]);
  if (m.skipEvents) settings.push(['--skip-events', m.skipEvents.join(',')]);
  if (m.since !== undefined) settings.push(['--since', new Date(m.since).toISOString()]);
  if (m.until !== undefined) settings.push(['--until', new Date(m.until).toISOString()]);
  if (m.updateExistingOnly) settings.push(['--update-existing-only', 'yes']);
  if (m.appId !== undefined) settings.push(['--app-id', m.appId]);
  if (m.includeBrazeEvents) settings.push(['--include-braze-events', 'yes']);
  if (config.stitch) settings.push(['--stitch', 'yes']);
  if (config.maxDataPoints !== undefined) settings.push(['--max-data-points', String(config.maxDataPoints)]);
  if (config.format) settings.push(['--format', config.format]);
  settings.push(['--diff', config.diff]);
  const diff = memory.diff?.summary();
  return {
    report,
    rate: config.rate,
    batchSize: config.batchSize,
    series: memory.series.data(),
    ...(diff && { fields: diff }),
    samples: memory.samples.list(),
    settings,
    liveCommand: liveCommand(command),
    whole: memory.whole,
  };
}

/** The delete dry run's page data: the report and the settings. */
export function deletePage(report: Report, config: CommonConfig & { readonly batchSize: number; readonly idType: string }, command: string): PageData {
  const settings: Array<[string, string]> = [
    ['--id-type', config.idType],
    ['--batch-size', String(config.batchSize)],
    ['--rate', String(config.rate)],
    ['--concurrency', String(config.concurrency)],
  ];
  return { report, rate: config.rate, batchSize: config.batchSize, samples: [], settings, liveCommand: liveCommand(command), whole: true };
}
