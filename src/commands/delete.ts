import type { DeleteConfig } from '../config/options.js';
import { renderTotals } from '../dryrun/render.js';
import { deletePage, PAGE_FILE } from '../dryrun/html/run-page.js';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { discoverInputs, type Discovered } from '../input/discover.js';
import { readIds, type IdItem, type IdType } from '../input/id-list.js';
import { releaseStdin } from '../input/open.js';
import type { InputFile } from '../input/types.js';
import { execute } from '../pipeline/lifecycle.js';
import type { RunDeps } from '../pipeline/run-plan.js';
import { ask } from '../ui/terminal.js';
import { DeletePlanner } from '../pipeline/planning/plan-delete.js';
import { DELETE_KEYS } from '../pipeline/fates.js';
import { IdSet } from '../state/dedup/id-set.js';
import type { Report } from '../state/report.js';
import { defaultStateDir, type RunIdentity } from '../state/run-key.js';
import type { CommandIo } from './replay.js';
import { holding } from '../state/access/state-lock.js';
import { lockOptions } from './lock-options.js';
import { s3Options, watchS3 } from './s3-inputs.js';

/** What the confirmation shows: a first pass over the inputs, nothing sent. */
interface Census {
  readonly ids: number;
  readonly duplicates: number;
  readonly rejected: number;
}

/**
 * `segment-braze delete`: counts the IDs, asks for confirmation (or --yes), then runs the same
 * engine as replay against users/delete. A deletion cannot be undone, so without a terminal and
 * without --yes it refuses (exit 2) having sent nothing.
 */
export async function deleteUsers(config: DeleteConfig, deps: RunDeps, io: CommandIo & { readonly stdinIsTTY?: boolean }): Promise<Report> {
  if (config.idType === 'user_alias' && config.inputs.some((i) => i.endsWith('.txt')) && !config.aliasLabel) {
    throw new UsageError('--id-type user_alias with a .txt list needs --alias-label <label>');
  }
  const discovered = await discoverInputs(config.inputs, { cwd: config.cwd, stdin: io.stdin, kind: 'ids', s3: s3Options(config, deps) });
  try {
    return await deleteFound(config, deps, io, discovered);
  } finally {
    discovered.s3?.close();
  }
}

async function deleteFound(config: DeleteConfig, deps: RunDeps, io: CommandIo & { readonly stdinIsTTY?: boolean }, discovered: Discovered): Promise<Report> {
  const { files, warnings } = discovered;
  for (const warning of warnings) deps.log.warn(warning);
  const identity: RunIdentity = {
    command: 'delete',
    dryRun: config.dryRun,
    inputs: files.map((f) => f.path),
    endpoint: config.endpoint,
    settings: { idType: config.idType, aliasLabel: config.aliasLabel, column: config.column, field: config.field, batchSize: config.batchSize },
  };
  const stateDir = config.state ?? defaultStateDir(config.cwd, identity);
  // Taken before the IDs are counted for the confirmation: nothing is read while another run holds the directory.
  return holding(stateDir, lockOptions(config, deps), (m) => deps.log.warn(m), () => deleteHeld(config, deps, io, discovered, { identity, stateDir }));
}

/** Confirmation and run, with the state directory's lock held. */
async function deleteHeld(config: DeleteConfig, deps: RunDeps, io: CommandIo & { readonly stdinIsTTY?: boolean }, discovered: Discovered, run: { identity: RunIdentity; stateDir: string }): Promise<Report> {
  const { files, warnings } = discovered;
  const { identity, stateDir } = run;
  const usesStdin = config.inputs.includes('-');
  const read = (file: InputFile, start: { line: number; offset: number } | undefined) =>
    readIds(file, { start, idType: config.idType, column: config.column, field: config.field, aliasLabel: config.aliasLabel, stdin: io.stdin });
  if (!config.dryRun) {
    if (usesStdin && !config.yes) {
      throw new UsageError('Reading IDs from stdin leaves no terminal to confirm with: pass --yes to delete without confirmation');
    }
    // Stdin can be read only once: with --yes it goes straight to the run, uncounted.
    const census = usesStdin ? undefined : await count(files, read, config.idType);
    const what = census ? `${census.ids} user(s)` : 'the users listed on stdin';
    const skipped = census ? ` (${census.duplicates} duplicate(s) and ${census.rejected} malformed line(s) will be skipped)` : '';
    const summary = `About to DELETE ${what} by ${config.idType} from Braze at ${config.endpoint}\n  from ${files.map((f) => f.display).join(', ')}${skipped}.\n`;
    if (config.yes) deps.log.info(summary.trimEnd());
    else if (!(await confirm(`${summary}Deletion cannot be undone. Type "yes" to go on: `, io))) {
      throw new UsageError('Nothing was deleted: not confirmed (pass --yes to skip the question)');
    }
  }
  const report = await execute<IdItem>(
    {
      config,
      path: '/users/delete',
      keys: DELETE_KEYS,
      identity,
      stateDir,
      files,
      warnings,
      ...watchS3(discovered),
      page: config.dryRun ? (r) => deletePage(r, config, deps.resumeCommand) : undefined,
      makeSource: (state) => {
        const planner = new DeletePlanner(config.idType, state.ids);
        return {
          files,
          read: (file, _index, start) => read(file, start),
          plan: (item) => planner.plan(item),
          close: async () => releaseStdin(io.stdin),
        };
      },
    },
    deps,
  );
  io.stdout(config.json ? JSON.stringify(report, null, 2) + '\n' : renderTotals(report, config.rate));
  if (config.dryRun && config.json) deps.log.info(`The dry run's page: ${join(report.state, PAGE_FILE)}`);
  return report;
}

async function count(files: readonly InputFile[], read: (f: InputFile, s: undefined) => AsyncIterable<IdItem[]>, idType: IdType): Promise<Census> {
  // The run's own planner, with a throwaway duplicate filter: the preview counts exactly as the run will.
  const planner = new DeletePlanner(idType, new IdSet());
  const fates: Record<string, number> = {};
  for (const file of files) {
    for await (const chunk of read(file, undefined)) {
      for (const item of chunk) {
        const { fate } = planner.plan(item);
        fates[fate] = (fates[fate] ?? 0) + 1;
      }
    }
  }
  return { ids: fates[DELETE_KEYS.sent] ?? 0, duplicates: fates[DELETE_KEYS.duplicate] ?? 0, rejected: fates[DELETE_KEYS.rejected] ?? 0 };
}

async function confirm(question: string, io: { readonly stdinIsTTY?: boolean }): Promise<boolean> {
  if (io.stdinIsTTY !== true) {
    throw new UsageError('Refusing to delete without confirmation: stdin is not a terminal. Pass --yes to confirm non-interactively.');
  }
  return /^(y|yes)$/i.test((await ask(question)).trim());
}
