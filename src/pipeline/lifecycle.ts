import { BudgetError, DiskFullError, FatalRunError, InterruptedError, ToolError, unlessDiskFull } from '../errors.js';
import type { Counts } from './fates.js';
import { InputFingerprints } from '../state/input-fingerprints.js';
import { buildReport, type Report } from '../state/report.js';
import { RunState } from '../state/run-state.js';
import { writePage } from '../dryrun/html/run-page.js';
import { openRun, type OpenRun } from './open-run.js';
import { runIndexPass } from './index-pass.js';
import { drive, type Outcome } from './run.js';
import { fingerprintedFirst } from './file-walk.js';
import { graceMs, type RunDeps, type RunPlan } from './run-plan.js';

/**
 * The life of one run, the same for replay and delete: open (or resume) the state and everything a
 * pass needs, run the pass over the inputs, and finish by its outcome: complete (report returned),
 * interrupted (InterruptedError, exit 130) or failed (FatalRunError, exit 1), each with the
 * checkpoint saved.
 */
export async function execute<T>(plan: RunPlan<T>, deps: RunDeps): Promise<Report> {
  const state = RunState.open(plan.stateDir, plan.identity, InputFingerprints.of(plan.files), plan.config.restart, new Date(deps.now()));
  if (state.resumed?.complete) {
    state.close();
    deps.log.info(`This run is already complete (state in ${state.dir}); use --restart to run it again.`);
    return report(plan, deps, state, { ...state.resumed.counts }, true, false);
  }
  if (state.resumed) deps.log.info(`Resuming the run in ${state.dir}.`);
  // A fresh run takes its inputs' fingerprints between its own work, each before its input is read
  // (a resume took them all to compare them).
  state.fingerprints.inBackground();
  await indexFirst(plan, deps, state).catch((error: unknown) => {
    state.close();
    throw error;
  });
  const run = await openRun(plan, deps, state).catch((error: unknown) => {
    state.close();
    throw error;
  });
  try {
    if (state.history.inDoubt.size > 0) {
      deps.log.warn(`${state.history.inDoubt.size} request(s) were in flight when the last process stopped; they are in doubt and will be ${plan.config.inDoubt === 'skip' ? 'skipped (--in-doubt skip)' : 're-sent'}.`);
    }
    return await finish(plan, deps, run, await runPass(plan, deps, run));
  } finally {
    deps.progress.update(run.filesDone(), run.engine.committed.counts);
    deps.progress.stop();
    await run.close();
  }
}

/** replay --stitch: opens the identity index, and builds it first unless the replay pass has begun. */
async function indexFirst<T>(plan: RunPlan<T>, deps: RunDeps, state: RunState): Promise<void> {
  if (!plan.indexPass) return;
  const index = plan.indexPass.open(state);
  const from = state.indexCursor;
  if (from !== undefined) await runIndexPass(plan, deps, state, from, index);
}

/** One pass over the inputs, from the resume point, with the progress bar. */
async function runPass<T>(plan: RunPlan<T>, deps: RunDeps, run: OpenRun<T>): Promise<Outcome> {
  const { engine, state, source, control } = run;
  const ticker = setInterval(() => deps.progress.update(run.filesDone(), engine.progress()), 250);
  deps.progress.start(plan.files, run.state.cursor);
  try {
    const read = fingerprintedFirst((file, index, start) => source.read(file, index, start), state.fingerprints);
    const most = source.most && ((item: T) => source.most!(item));
    return await drive({ files: source.files, read, plan: (item) => source.plan(item), most }, engine, state.memory, state.cursor, control);
  } finally {
    clearInterval(ticker);
    await source.close?.();
  }
}

/**
 * Ends the run by its outcome. Stopped or failed: the requests in flight get the grace period (not
 * after a request failed for good), the rest stay unacknowledged and the next run counts them in
 * doubt; the checkpoint of what is committed is saved, then the error is thrown.
 */
async function finish<T>(plan: RunPlan<T>, deps: RunDeps, run: OpenRun<T>, outcome: Outcome): Promise<Report> {
  const { engine, state } = run;
  if (outcome.kind === 'done') {
    // The report first: if it cannot be written (a full disk), the checkpoint does not say
    // "complete", and the same command, run again, finishes the run and writes it.
    const final = conclude(plan, deps, run, { ...engine.committed.counts }, true, false);
    run.save(true);
    warnOverBudget(plan, deps, engine.committed.counts);
    return final;
  }
  if (outcome.kind === 'budget') {
    // The requests before the one over budget are within it: every one is waited for.
    await engine.drain();
    run.save(false);
    conclude(plan, deps, run, { ...engine.committed.counts }, false, false);
    throw budgetStop(plan, outcome, state.dir, deps.resumeCommand);
  }
  const stillInFlight = engine.failure === undefined ? await engine.drain(graceMs) : 0;
  run.stopSending.abort(new InterruptedError('stopped'));
  await engine.drain(2_000);
  // On a full disk the previous checkpoint stays: it covers less, and is still valid.
  const unsaved = unlessDiskFull(() => run.save(false));
  const counts = { ...engine.committed.counts };
  counts['requests.inDoubt'] = (counts['requests.inDoubt'] ?? 0) + stillInFlight;
  unlessDiskFull(() => conclude(plan, deps, run, counts, false, outcome.kind === 'interrupted' && unsaved === undefined));
  if (outcome.kind === 'failed' || unsaved) {
    throw asFatal(outcome.kind === 'failed' ? outcome.error : unsaved, state.dir, deps.resumeCommand, unsaved);
  }
  throw new InterruptedError(`Interrupted; the checkpoint is saved in ${state.dir}. Run the same command again to resume:\n  ${deps.resumeCommand}`);
}

/** A dry run whose estimate is above --max-data-points says so (and completes as usual). */
function warnOverBudget<T>(plan: RunPlan<T>, deps: RunDeps, counts: Counts): void {
  const budget = plan.budget;
  const estimate = counts['dataPoints'] ?? 0;
  if (plan.config.dryRun && budget !== undefined && estimate > budget) {
    deps.log.warn(`The estimate, ${estimate.toLocaleString('en')} data points, is above --max-data-points ${budget.toLocaleString('en')}: a live run would stop there (exit 4).`);
  }
}

function budgetStop<T>(plan: RunPlan<T>, over: { spent: number; needed: number }, dir: string, resume: string): BudgetError {
  return new BudgetError(
    `Stopped at the data-point budget: ${over.spent.toLocaleString('en')} data points spent of --max-data-points ${plan.budget?.toLocaleString('en')}; ` +
      `the next request needs ${over.needed.toLocaleString('en')} more. The checkpoint is saved in ${dir}. ` +
      `To go on, run the same command with a higher --max-data-points (the budget counts the whole run, earlier processes included):\n  ${resume}`,
  );
}

/** The report, written with the in-doubt list into the state directory. */
function conclude<T>(plan: RunPlan<T>, deps: RunDeps, run: OpenRun<T>, counts: Counts, complete: boolean, interrupted: boolean): Report {
  const r = report(plan, deps, run.state, counts, complete, interrupted);
  run.state.conclude(r, run.engine.inDoubtRequests, plan.config.inDoubt);
  const page = plan.page?.(r);
  if (page) writePage(run.state.dir, page);
  return r;
}

function report<T>(plan: RunPlan<T>, deps: RunDeps, state: RunState, counts: Counts, complete: boolean, interrupted: boolean): Report {
  const { config } = plan;
  return buildReport(counts, {
    command: plan.identity.command,
    dryRun: config.dryRun,
    complete,
    interrupted,
    state: state.dir,
    endpoint: config.endpoint,
    // The arguments, not every file: a run of 200,000 files would write them all at every report.
    inputs: plan.config.inputs,
    files: plan.files.length,
    rate: config.rate,
    startedAt: state.startedAt,
    updatedAt: new Date(deps.now()).toISOString(),
    warnings: plan.warnings,
    s3: plan.s3?.(),
    dedupWindow: 'dedupWindow' in config ? (config.dedupWindow as { text: string }).text : undefined,
    insights: plan.insights?.(),
    stitch: plan.indexPass !== undefined,
    mapping: plan.mapping,
  });
}

function asFatal(error: unknown, dir: string, resume: string, unsaved: DiskFullError | undefined): Error {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ToolError ? error.code : 'fatal';
  const saved = unsaved
    ? `The checkpoint could not be updated for lack of space; the previous one in ${dir} is still valid`
    : `The checkpoint is saved in ${dir}`;
  return new FatalRunError(`${message}\n${saved}; after fixing this, run the same command again to resume:\n  ${resume}`, code, { cause: error });
}
