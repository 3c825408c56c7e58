import { setMaxListeners } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RateLimiter } from '../braze/rate-limiter.js';
import type { BrazePath, RequestItem } from '../braze/types.js';
import { itemValue } from '../braze/body.js';
import type { CommonConfig } from '../config/options.js';
import { DiskFullError, InterruptedError, FatalRunError, ToolError, unlessDiskFull } from '../errors.js';
import type { InputFile } from '../input/types.js';
import { fingerprint } from '../state/fingerprint.js';
import { buildReport, type Report } from '../state/report.js';
import type { RunIdentity } from '../state/run-key.js';
import { RunState } from '../state/run-state.js';
import { writeFileAtomic } from '../state/atomic-file.js';
import { appendText } from '../state/disk-write.js';
import type { Log } from '../ui/log.js';
import type { Progress } from '../ui/progress.js';
import { Engine, type FateKeys } from './engine.js';
import { drive, type RunControl, type Source } from './run.js';
import type { Ticket } from './segment.js';
import { DryRunSink, LiveSink, type Sink } from './sink.js';

/** Effects handed in from the edge (style.md habit 7). */
export interface RunDeps {
  readonly now: () => number;
  readonly random: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly log: Log;
  readonly progress: Progress;
  /** Registers SIGINT/SIGTERM handling; returns the function that removes it. */
  readonly onSignal: (handler: (signal: string) => void) => () => void;
  /** Exits at once (second Ctrl-C). */
  readonly exitNow: (code: number) => never;
  /** The command line that resumes this run, for the interrupt message. */
  readonly resumeCommand: string;
  readonly userAgent: string;
}

export interface RunPlan<T> {
  readonly config: CommonConfig & { readonly batchSize: number };
  readonly path: BrazePath;
  readonly keys: FateKeys;
  readonly identity: RunIdentity;
  readonly stateDir: string;
  readonly files: readonly InputFile[];
  readonly warnings: readonly string[];
  readonly makeSource: (state: RunState) => Source<T>;
}

/** How long in-flight requests may take to finish after SIGINT/SIGTERM (cli.md: about 10 s). */
const graceMs = 10_000;

/**
 * The life of one run, the same for replay and delete: open or resume the state, drive the records
 * through the engine, save the checkpoint as requests are acknowledged, and end in one of three ways:
 * complete (report returned), interrupted (InterruptedError, exit 130) or failed (FatalRunError,
 * exit 1), each with the checkpoint saved.
 */
export async function execute<T>(plan: RunPlan<T>, deps: RunDeps): Promise<Report> {
  const { config } = plan;
  const state = RunState.open(plan.stateDir, plan.identity, plan.files.map(fingerprint), config.restart, new Date(deps.now()));
  const report = (counts: Record<string, number>, complete: boolean, interrupted: boolean): Report =>
    buildReport(counts, {
      command: plan.identity.command,
      dryRun: config.dryRun,
      complete,
      interrupted,
      state: state.dir,
      endpoint: config.endpoint,
      inputs: plan.files.map((f) => f.display),
      rate: config.rate,
      startedAt: state.startedAt,
      updatedAt: new Date(deps.now()).toISOString(),
      warnings: plan.warnings,
    });
  if (state.resumed?.complete) {
    state.close();
    deps.log.info(`This run is already complete (state in ${state.dir}); use --restart to run it again.`);
    return report({ ...state.resumed.counts }, true, false);
  }
  if (state.resumed) deps.log.info(`Resuming the run in ${state.dir}.`);

  const stopSending = new AbortController();
  // Every request in flight listens to this one signal.
  setMaxListeners(0, stopSending.signal);
  const { sink, close } = await makeSink(config, deps, stopSending.signal);
  const stopListeners = new Set<() => void>();
  const wakeReading = (): void => {
    for (const listener of stopListeners) listener();
  };
  const control: RunControl = {
    stopped: false,
    filesDone: state.cursor.fileIndex,
    onStop: (listener) => {
      stopListeners.add(listener);
      return () => stopListeners.delete(listener);
    },
  };
  let lastSave = deps.now();
  const engine: Engine = new Engine({
    path: plan.path,
    batchSize: config.batchSize,
    concurrency: config.concurrency,
    sink,
    keys: plan.keys,
    inDoubt: config.inDoubt,
    history: state.history,
    log: state.log,
    start: { cursor: state.cursor, nextRequest: state.resumed?.nextRequest ?? 1, ids: state.resumed?.ids, counts: state.resumed?.counts },
    describeRejection,
    // A request that failed for good stops reading even while it waits for input (stdin).
    onFailure: wakeReading,
    onCommit: () => {
      state.rejected.write(engine.committed.rejectLines.splice(0));
      state.requests?.write(engine.committed.requestLines.splice(0));
      if (deps.now() - lastSave >= config.checkpointEveryMs) save(false);
    },
  });
  const save = (complete: boolean) => {
    state.save(engine.committed, complete, new Date(deps.now()));
    lastSave = deps.now();
  };
  if (state.history.inDoubt.size > 0) {
    deps.log.warn(`${state.history.inDoubt.size} request(s) were in flight when the last process stopped; they are in doubt and will be ${config.inDoubt === 'skip' ? 'skipped (--in-doubt skip)' : 're-sent'}.`);
  }

  const removeSignals = deps.onSignal((signal) => {
    if (control.stopped) deps.exitNow(130);
    control.stopped = true;
    wakeReading();
    deps.progress.stop();
    deps.log.warn(`${signal} received: finishing the requests in flight (up to ${graceMs / 1000} s), then saving the checkpoint. Press Ctrl-C again to exit at once.`);
  });
  const done = () => control.filesDone + withinFile(plan.files[engine.position.fileIndex], engine.position);
  const ticker = setInterval(() => deps.progress.update(done(), engine.progress()), 250);
  deps.progress.start(plan.files, state.cursor);
  let outcome: 'done' | 'stopped';
  // An error while reading or planning (not a request's): the run stops like on a fatal request
  // error, with the checkpoint of everything acknowledged so far saved.
  let crash: unknown;
  const source = plan.makeSource(state);
  try {
    outcome = await drive(source, engine, state.ids, state.cursor, control);
  } catch (error) {
    if (engine.failure === undefined) crash = error;
    outcome = 'stopped';
  } finally {
    clearInterval(ticker);
    await source.close?.();
  }
  try {
    if (outcome === 'done') {
      // The report first: if it cannot be written (a full disk), the checkpoint does not say
      // "complete", and the same command, run again, finishes the run and writes it.
      const final = finalReport(report({ ...engine.committed.counts }, true, false));
      save(true);
      return final;
    }
    const failure = engine.failure ?? crash;
    const stillInFlight = engine.failure === undefined ? await engine.drain(graceMs) : 0;
    // Requests still unanswered now stay unacknowledged: the next run counts them in doubt.
    stopSending.abort(new InterruptedError('stopped'));
    await engine.drain(2_000);
    // On a full disk the previous checkpoint stays: it covers less, and is still valid.
    const unsaved = unlessDiskFull(() => save(false));
    const counts = { ...engine.committed.counts };
    counts['requests.inDoubt'] = (counts['requests.inDoubt'] ?? 0) + stillInFlight;
    unlessDiskFull(() => finalReport(report(counts, false, failure === undefined && unsaved === undefined)));
    if (failure !== undefined || unsaved) throw asFatal(failure ?? unsaved, state.dir, deps.resumeCommand, unsaved);
    throw new InterruptedError(`Interrupted; the checkpoint is saved in ${state.dir}. Run the same command again to resume:\n  ${deps.resumeCommand}`);
  } finally {
    deps.progress.update(done(), engine.committed.counts);
    deps.progress.stop();
    removeSignals();
    state.close();
    await close();
  }

  function finalReport(r: Report): Report {
    writeFileAtomic(join(state.dir, 'report.json'), JSON.stringify(r, null, 2) + '\n');
    listInDoubt(join(state.dir, 'in-doubt.ndjson'), engine.inDoubtRequests, config.inDoubt);
    return r;
  }
}

/**
 * Appends the requests found in doubt to in-doubt.ndjson, once each: a process that stops before
 * its checkpoint covers them finds them in doubt again.
 */
function listInDoubt(file: string, requests: readonly number[], handling: string): void {
  if (requests.length === 0) return;
  const listed = new Set<number>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() !== '') listed.add((JSON.parse(line) as { request: number }).request);
    }
  }
  const fresh = [...new Set(requests)].filter((n) => !listed.has(n));
  if (fresh.length > 0) appendText(file, fresh.map((n) => JSON.stringify({ request: n, handling }) + '\n').join(''));
}

/**
 * How far into the current file the run is, for the progress bar only: exact for plain files,
 * estimated for gzip (JSON compresses about 5:1), never 1 before the file is done.
 */
function withinFile(file: InputFile | undefined, position: { readonly offset: number }): number {
  if (!file || file.size === 0) return 0;
  return Math.min(0.99, position.offset / (file.gzip ? file.size * 5 : file.size));
}

/** The HTTP client (and undici) is loaded only for a run that sends. */
async function makeSink(config: CommonConfig, deps: RunDeps, signal: AbortSignal): Promise<{ sink: Sink; close: () => Promise<void> }> {
  if (config.dryRun || !config.endpoint || !config.apiKey) return { sink: new DryRunSink(), close: async () => undefined };
  const { BrazeClient } = await import('../braze/client.js');
  const client = new BrazeClient({
    endpoint: config.endpoint,
    apiKey: config.apiKey,
    connections: config.concurrency,
    timeoutMs: config.timeoutMs,
    userAgent: deps.userAgent,
  });
  const limiter = new RateLimiter({ rate: config.rate, now: deps.now, sleep: deps.sleep, burst: Math.max(1, Math.min(config.concurrency, Math.ceil(config.rate / 10))) });
  const sink = new LiveSink({
    client,
    limiter,
    maxRetries: config.maxRetries,
    random: deps.random,
    now: deps.now,
    sleep: deps.sleep,
    signal,
  });
  return { sink, close: () => client.close() };
}

function asFatal(error: unknown, dir: string, resume: string, unsaved: DiskFullError | undefined): Error {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ToolError ? error.code : 'fatal';
  const saved = unsaved
    ? `The checkpoint could not be updated for lack of space; the previous one in ${dir} is still valid`
    : `The checkpoint is saved in ${dir}`;
  return new FatalRunError(`${message}\n${saved}; after fixing this, run the same command again to resume:\n  ${resume}`, code, { cause: error });
}

function describeRejection(ticket: Ticket, item: RequestItem, reason: string, request: number): string {
  return JSON.stringify({ file: ticket.file, line: ticket.line, reason: `Braze refused the object: ${reason}`, request, array: item.array, object: itemValue(item) });
}
