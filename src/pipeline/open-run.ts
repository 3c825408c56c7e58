import { setMaxListeners } from 'node:events';
import { itemValue } from '../braze/body.js';
import { RateLimiter } from '../braze/rate-limiter.js';
import type { RequestItem } from '../braze/types.js';
import type { CommonConfig } from '../config/options.js';
import type { InputFile } from '../input/types.js';
import type { RunState } from '../state/run-state.js';
import { Engine } from './engine.js';
import type { Source } from './run.js';
import { stopOnSignals, type RunControl } from './stop-control.js';
import { graceMs, type RunDeps, type RunPlan } from './run-plan.js';
import { DryRunSink, LiveSink, type Sink } from './sink.js';
import type { Ticket } from './span.js';

/** A run with its state open, its sink, engine and source made, and signals handled. */
export interface OpenRun<T> {
  readonly state: RunState;
  readonly source: Source<T>;
  readonly engine: Engine;
  readonly control: RunControl;
  /** Aborts every request in flight (after the grace period of a stop). */
  readonly stopSending: AbortController;
  /** Saves the checkpoint of everything committed. */
  save(complete: boolean): void;
  /** Files done, with the current one's fraction (progress bar). */
  filesDone(): number;
  /** Removes the signal handlers, closes the state and the sink. */
  close(): Promise<void>;
}

/** Opens everything a pass needs, in the order the engine depends on it. */
export async function openRun<T>(plan: RunPlan<T>, deps: RunDeps, state: RunState): Promise<OpenRun<T>> {
  const { config } = plan;
  const stopSending = new AbortController();
  // Every request in flight listens to this one signal.
  setMaxListeners(0, stopSending.signal);
  const { sink, close } = await makeSink(config, deps, stopSending.signal, state.resumed?.nextRequest ?? 1);
  const stop = stopOnSignals(deps, state.cursor.fileIndex, (signal) => {
    deps.progress.stop();
    deps.log.warn(`${signal === 'SIGPIPE' ? 'The output was closed by its reader' : `${signal} received`}: finishing the requests in flight (up to ${graceMs / 1000} s), then saving the checkpoint. Press Ctrl-C again to exit at once.`);
  });
  const { control } = stop;
  // Made before the engine: the source may open more memories, whose marks the engine starts from.
  const source = plan.makeSource(state);
  let lastSave = deps.now();
  const save = (complete: boolean): void => {
    state.save(engine.committed, complete, new Date(deps.now()));
    lastSave = deps.now();
  };
  const engine: Engine = new Engine({
    path: plan.path,
    batchSize: config.batchSize,
    concurrency: config.concurrency,
    sink,
    keys: plan.keys,
    inDoubt: config.inDoubt,
    history: state.history,
    log: state.log,
    memory: state.memory,
    start: { cursor: state.cursor, nextRequest: state.resumed?.nextRequest ?? 1, memory: state.memory.mark(), counts: state.resumed?.counts },
    describeRejection,
    budget: config.dryRun ? undefined : plan.budget,
    onRefused: plan.onRefused,
    // A request that failed for good stops reading even while it waits for input (stdin).
    onFailure: stop.wake,
    onCommit: () => {
      state.memory.advance(engine.committed.memory);
      state.rejected.write(engine.committed.rejectLines.splice(0));
      state.requests?.write(engine.committed.requestLines.splice(0));
      if (deps.now() - lastSave >= config.checkpointEveryMs) save(false);
    },
  });
  const filesDone = () => control.filesDone + withinFile(plan.files[engine.position.fileIndex], engine.position);
  return {
    state, source, engine, control, stopSending, save, filesDone,
    close: async () => {
      stop.remove();
      state.close();
      await close();
    },
  };
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
async function makeSink(config: CommonConfig, deps: RunDeps, signal: AbortSignal, nextRequest: number): Promise<{ sink: Sink; close: () => Promise<void> }> {
  if (config.dryRun || !config.endpoint || !config.apiKey) return { sink: new DryRunSink(config.keepRequests, nextRequest), close: async () => undefined };
  const { BrazeClient } = await import('../braze/client.js');
  const client = new BrazeClient({
    endpoint: config.endpoint,
    apiKey: config.apiKey,
    connections: config.concurrency,
    timeoutMs: config.timeoutMs,
    userAgent: deps.userAgent,
  });
  const limiter = new RateLimiter({ rate: config.rate, now: deps.now, sleep: deps.sleep, burst: Math.max(1, Math.min(config.concurrency, Math.ceil(config.rate / 10))) });
  const sink = new LiveSink({ client, limiter, maxRetries: config.maxRetries, random: deps.random, now: deps.now, sleep: deps.sleep, signal });
  return { sink, close: () => client.close() };
}

function describeRejection(ticket: Ticket, item: RequestItem, reason: string, request: number): string {
  return JSON.stringify({ file: ticket.file, line: ticket.line, reason: `Braze refused the object: ${reason}`, request, array: item.array, object: itemValue(item) });
}
