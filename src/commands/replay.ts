import type { ReplayConfig } from '../config/options.js';
import { DiffCollector } from '../dryrun/diff.js';
import { renderSummary, renderTotals } from '../dryrun/render.js';
import { discoverInputs } from '../input/discover.js';
import { readItems } from '../input/read.js';
import type { InputItem } from '../input/types.js';
import { execute, type RunDeps } from '../pipeline/lifecycle.js';
import { REPLAY_KEYS, ReplayPlanner } from '../pipeline/plan-replay.js';
import type { Report } from '../state/report.js';
import { defaultStateDir, type RunIdentity } from '../state/run-key.js';

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stdin: NodeJS.ReadableStream;
}

/** `segment-braze replay`: wires config -> inputs -> state -> planner -> engine; prints the result. */
export async function replay(config: ReplayConfig, deps: RunDeps, io: CommandIo): Promise<Report> {
  const endDiscovery = deps.progress.phase('Finding inputs…');
  const { files, warnings } = await discoverInputs(config.inputs, { cwd: config.cwd, format: config.format, stdin: io.stdin }).finally(endDiscovery);
  for (const warning of warnings) deps.log.warn(warning);
  const identity: RunIdentity = {
    command: 'replay',
    dryRun: config.dryRun,
    inputs: files.map((f) => f.path),
    endpoint: config.endpoint,
    settings: { mapping: config.mapping, batchSize: config.batchSize, format: config.format },
  };
  // The diff is only worked out in a dry run; with --json it goes to stderr (cli.md "Output").
  const diffOut = config.json ? (t: string) => process.stderr.write(t) : io.stdout;
  const diff = config.dryRun && config.diff !== 'none' ? new DiffCollector(config.diff === 'full' ? diffOut : undefined) : undefined;
  const report = await execute<InputItem>(
    {
      config,
      path: '/users/track',
      keys: REPLAY_KEYS,
      identity,
      stateDir: config.state ?? defaultStateDir(config.cwd, identity),
      files,
      warnings,
      makeSource: (state) => {
        const planner = new ReplayPlanner(config.mapping, state.ids, diff);
        return {
          files,
          read: (file, start) => readItems(file, { start, format: config.format, stdin: io.stdin }),
          plan: (item) => planner.plan(item),
        };
      },
    },
    deps,
  );
  if (diff && config.diff === 'summary') diffOut(renderSummary(diff.summary()));
  io.stdout(config.json ? JSON.stringify(report, null, 2) + '\n' : renderTotals(report, config.rate));
  return report;
}
