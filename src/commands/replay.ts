import type { ReplayConfig } from '../config/options.js';
import { renderSummary, renderTotals } from '../dryrun/render.js';
import { discoverInputs, type Discovered } from '../input/discover.js';
import { execute } from '../pipeline/lifecycle.js';
import type { RunDeps } from '../pipeline/run-plan.js';
import type { Planned } from '../pipeline/planning/plan-record.js';
import type { PageMemory } from '../dryrun/page-memory.js';
import { ReplaySource } from '../pipeline/replay-source.js';
import { PAGE_FILE, replayPage } from '../dryrun/html/run-page.js';
import { join } from 'node:path';
import { AttributeMemory } from '../state/attribute-memory.js';
import { REPLAY_KEYS } from '../pipeline/fates.js';
import type { Report } from '../state/report.js';
import { defaultStateDir, type RunIdentity } from '../state/run-key.js';
import { holding } from '../state/access/state-lock.js';
import { lockOptions } from './lock-options.js';
import { s3Options, watchS3 } from './s3-inputs.js';
import { totalBytes } from '../ui/progress.js';
import { stderr } from '../ui/terminal.js';

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stdin: NodeJS.ReadableStream;
}

/** `segment-braze replay`: wires config -> inputs -> state -> planner -> engine; prints the result. */
export async function replay(config: ReplayConfig, deps: RunDeps, io: CommandIo): Promise<Report> {
  const endDiscovery = deps.progress.phase('Finding inputs…');
  const discovered = await discoverInputs(config.inputs, { cwd: config.cwd, format: config.format, stdin: io.stdin, s3: s3Options(config, deps) }).finally(endDiscovery);
  try {
    return await replayFound(config, deps, io, discovered);
  } finally {
    discovered.s3?.close();
  }
}

async function replayFound(config: ReplayConfig, deps: RunDeps, io: CommandIo, discovered: Discovered): Promise<Report> {
  const { files, warnings } = discovered;
  for (const warning of warnings) deps.log.warn(warning);
  const identity: RunIdentity = {
    command: 'replay',
    dryRun: config.dryRun,
    inputs: files.map((f) => f.path),
    endpoint: config.endpoint,
    // The mapping file counts by its content (sha256), not by where it lies.
    settings: { mapping: { ...config.mapping, rules: config.mapping.rules?.sha256 }, batchSize: config.batchSize, format: config.format, dedupWindow: config.dedupWindow.text, ...(config.stitch && { stitch: true }) },
    mappingSha256: config.mapping.rules?.sha256,
  };
  const rules = config.mapping.rules;
  // The diff is only worked out in a dry run; with --json it goes to stderr (cli.md "Output").
  const diffOut = config.json ? (t: string) => stderr.write(t) : io.stdout;
  // Not persisted: a resume starts with an empty memory and sends values again (attribute-memory.ts).
  const memory = config.attributes === 'changed' ? new AttributeMemory({ bytes: config.attributeMemoryBytes, inputBytes: totalBytes(files) }) : undefined;
  // The identity index is loaded only for a --stitch run.
  const stitch = config.stitch ? (await import('../pipeline/stitch-source.js')).stitching(config, io.stdin) : undefined;
  const source = new ReplaySource({ config, files, stdin: io.stdin, memory, identity: stitch?.lookups, diffOut, log: deps.log });
  const stateDir = config.state ?? defaultStateDir(config.cwd, identity);
  const run = () =>
    execute<Planned>(
      {
        config,
        path: '/users/track',
        keys: REPLAY_KEYS,
        identity,
        stateDir,
        files,
        warnings,
        ...watchS3(discovered),
        budget: config.maxDataPoints,
        ...(rules && { mapping: { file: rules.file, sha256: rules.sha256, identifiers: rules.identifiers.map((rule) => rule.name) } }),
        onRefused: (item) => source.changed.refused(item),
        insights: config.dryRun ? () => insightsOf(source.page) : undefined,
        page: config.dryRun ? (r) => (source.page ? replayPage(r, config, source.page, deps.resumeCommand) : undefined) : undefined,
        ...(stitch && { indexPass: stitch.plan }),
        makeSource: source.open,
      },
      deps,
    );
  // Taken before anything is read or sent, held through both passes of --stitch (state-lock.ts).
  const report = await holding(stateDir, lockOptions(config, deps), (m) => deps.log.warn(m), run);
  if (source.page?.diff && config.diff === 'summary') diffOut(renderSummary(source.page.diff.summary()));
  io.stdout(config.json ? JSON.stringify(report, null, 2) + '\n' : renderTotals(report, config.rate));
  if (config.dryRun && config.json) deps.log.info(`The dry run's page: ${join(report.state, PAGE_FILE)}`);
  return report;
}

/** The dry run's top lists (report.json and the totals), from its page's totals. */
function insightsOf(page: PageMemory | undefined) {
  if (!page) return { topEvents: [], topPurchases: [], topAttributes: [] };
  return { topEvents: page.totals.topEvents(), topPurchases: page.totals.topPurchases(), topAttributes: page.totals.topAttributes() };
}
