import type { ReplayConfig } from '../config/options.js';
import { renderSummary, renderTotals } from '../dryrun/render.js';
import { discoverInputs, type Discovered } from '../input/discover.js';
import { execute } from '../pipeline/lifecycle.js';
import type { RunDeps } from '../pipeline/run-plan.js';
import type { Planned } from '../pipeline/planning/plan-record.js';
import { Deduplicator } from '../pipeline/dedup.js';
import { ChangedAttributes } from '../pipeline/changed-attributes.js';
import { PAGE, PageMemory } from '../dryrun/page-memory.js';
import { PAGE_FILE, replayPage } from '../dryrun/html/run-page.js';
import { join } from 'node:path';
import type { Unit } from '../pipeline/unit.js';
import { AttributeMemory } from '../state/attribute-memory.js';
import { REPLAY_KEYS } from '../state/counters.js';
import { filesAfter } from '../pipeline/planning/file-scheduler.js';
import { PlanPool } from '../pipeline/planning/plan-pool.js';
import type { Report } from '../state/report.js';
import { defaultStateDir, type RunIdentity } from '../state/run-key.js';
import { holding } from '../state/access/state-lock.js';
import { lockOptions } from './lock-options.js';
import { s3Options, watchS3 } from './s3-inputs.js';
import { openWindow } from './dedup-window.js';
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
    settings: { mapping: config.mapping, batchSize: config.batchSize, format: config.format, dedupWindow: config.dedupWindow.text, ...(config.stitch && { stitch: true }) },
  };
  // The diff is only worked out in a dry run; with --json it goes to stderr (cli.md "Output").
  const diffOut = config.json ? (t: string) => stderr.write(t) : io.stdout;
  const diffMode = config.dryRun ? config.diff : 'none';
  // Not persisted: a resume starts with an empty memory and sends values again (attribute-memory.ts).
  const memory = config.attributes === 'changed' ? new AttributeMemory({ bytes: config.attributeMemoryBytes, inputBytes: totalBytes(files) }) : undefined;
  // A dry run's page, diff and top lists: a run memory, so that a resumed dry run covers the whole run.
  let page: PageMemory | undefined;
  let changed = new ChangedAttributes(memory, undefined);
  // The identity index is loaded only for a --stitch run.
  const stitch = config.stitch ? (await import('./stitch-index.js')).stitching(config, io.stdin) : undefined;
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
        onRefused: (item) => changed.refused(item),
        insights: config.dryRun ? () => (page ? { topEvents: page.totals.topEvents(), topPurchases: page.totals.topPurchases(), topAttributes: page.totals.topAttributes() } : NO_INSIGHTS) : undefined,
        page: config.dryRun ? (r) => (page ? replayPage(r, config, page, deps.resumeCommand) : undefined) : undefined,
        ...(stitch && { indexPass: stitch.plan }),
        makeSource: (state) => {
          if (config.dryRun) page = state.memory.open(PAGE, (stored: number | undefined) => new PageMemory(state.dir, stored, diffMode === 'full' ? diffOut : undefined, diffMode !== 'none'));
          const diff = page?.diff;
          changed = new ChangedAttributes(memory, page?.totals, diff);
          const dedup = new Deduplicator(openWindow(config.dedupWindow, state), diff, (message) => deps.log.warn(message));
          const pool = new PlanPool({
            mapping: config.mapping,
            diff: diffMode,
            format: config.format,
            stdin: io.stdin,
            workers: config.workers,
            onDefs: (defs) => diff?.define(defs),
            identity: stitch?.lookups(state),
          });
          return {
            files,
            read: (file, index, start) => pool.read(file, start, index, filesAfter(files, index)),
            plan: page ? planWithPage(page, (p) => changed.check(dedup.check(p))) : (p: Planned) => changed.check(dedup.check(p)),
            close: () => pool.close(),
          };
        },
      },
      deps,
    );
  // Taken before anything is read or sent, held through both passes of --stitch (state-lock.ts).
  const report = await holding(stateDir, lockOptions(config, deps), (m) => deps.log.warn(m), run);
  if (page?.diff && config.diff === 'summary') diffOut(renderSummary(page.diff.summary()));
  io.stdout(config.json ? JSON.stringify(report, null, 2) + '\n' : renderTotals(report, config.rate));
  if (config.dryRun && config.json) deps.log.info(`The dry run's page: ${join(report.state, PAGE_FILE)}`);
  return report;
}

const NO_INSIGHTS = { topEvents: [], topPurchases: [], topAttributes: [] };

/** Plans a record and counts it for the page: its time, whether it would be sent, its data points. */
function planWithPage(page: PageMemory, plan: (p: Planned) => Unit): (p: Planned) => Unit {
  return (p) => {
    page.begin();
    const unit = plan(p);
    const sent = unit.fate === REPLAY_KEYS.sent;
    page.timed(p.time, sent, unit.dataPoints ?? 0);
    page.samples.offer(p.file, p.line, unit.fate, p.source, unit.items);
    return unit;
  };
}
