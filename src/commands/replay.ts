import type { ReplayConfig } from '../config/options.js';
import { renderSummary, renderTotals } from '../dryrun/render.js';
import { discoverInputs, type Discovered } from '../input/discover.js';
import { execute } from '../pipeline/lifecycle.js';
import type { RunDeps } from '../pipeline/run-plan.js';
import type { Planned } from '../pipeline/planning/plan-record.js';
import { Deduplicator } from '../pipeline/decisions/deduplicator.js';
import { ChangedAttributes } from '../pipeline/decisions/changed-attributes.js';
import { bracketed, together, type DecisionListener } from '../pipeline/decisions/listener.js';
import { FullDiff } from '../dryrun/full-diff.js';
import { PAGE, PageMemory } from '../dryrun/page-memory.js';
import { PAGE_FILE, replayPage } from '../dryrun/html/run-page.js';
import { join } from 'node:path';
import { AttributeMemory } from '../state/attribute-memory.js';
import { REPLAY_KEYS } from '../pipeline/fates.js';
import { filesAfter } from '../pipeline/planning/file-scheduler.js';
import { PlanPool } from '../pipeline/planning/plan-pool.js';
import type { Report } from '../state/report.js';
import { defaultStateDir, type RunIdentity } from '../state/run-key.js';
import { holding } from '../state/access/state-lock.js';
import { lockOptions } from './lock-options.js';
import { s3Options, watchS3 } from './s3-inputs.js';
import { openWindow } from './open-window.js';
import type { Log } from '../ui/log.js';
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
  const diffMode = config.dryRun ? config.diff : 'none';
  // Not persisted: a resume starts with an empty memory and sends values again (attribute-memory.ts).
  const memory = config.attributes === 'changed' ? new AttributeMemory({ bytes: config.attributeMemoryBytes, inputBytes: totalBytes(files) }) : undefined;
  // A dry run's page, diff and top lists: a run memory, so that a resumed dry run covers the whole run.
  let page: PageMemory | undefined;
  let changed = new ChangedAttributes(memory);
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
        ...(rules && { mapping: { file: rules.file, sha256: rules.sha256, identifiers: rules.identifiers.map((rule) => rule.name) } }),
        onRefused: (item) => changed.refused(item),
        insights: config.dryRun ? () => (page ? { topEvents: page.totals.topEvents(), topPurchases: page.totals.topPurchases(), topAttributes: page.totals.topAttributes() } : NO_INSIGHTS) : undefined,
        page: config.dryRun ? (r) => (page ? replayPage(r, config, page, deps.resumeCommand) : undefined) : undefined,
        ...(stitch && { indexPass: stitch.plan }),
        makeSource: (state) => {
          if (config.dryRun) page = state.memory.open(PAGE, (stored: number | undefined) => new PageMemory(state.dir, stored, diffMode !== 'none'));
          const diff = page?.diff;
          // Who hears what the run thread decides of each record (decisions/listener.ts); a live run: the warning only.
          const listener = together(page?.decisions, diffMode === 'full' ? new FullDiff(diffOut) : undefined, utf8Warning(deps.log));
          changed = new ChangedAttributes(memory, listener);
          const dedup = new Deduplicator(openWindow(config.dedupWindow, state), listener);
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
            plan: bracketed((p: Planned) => changed.check(dedup.check(p)), listener),
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

/** The run's log warns once, at the first record whose text held invalid UTF-8 (the report counts them all). */
function utf8Warning(log: Log): DecisionListener {
  let warned = false;
  return {
    invalidUtf8(file, line) {
      if (warned) return;
      warned = true;
      log.warn(`${file}:${line} holds invalid UTF-8 (a truncated or stray byte): such records go on with U+FFFD in place of the bad bytes, and are counted in records.invalidUtf8.`);
    },
  };
}
