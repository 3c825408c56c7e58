import { isatty } from 'node:tty';
import { Worker } from 'node:worker_threads';
import { HOSTED, type HostedStreams, type HostMessage } from './ui/hosted.js';
import { threadLimits } from './young-generation.js';

/**
 * The process's main thread: it runs the command line (cli.ts) in a worker thread and only relays
 * to it. The reason is memory: a busy thread's young generation grows to V8's default, which is
 * sized from the machine's RAM and can only be set on node's own command line (`npx` gives none):
 * ~33 MB on Node 20 and ~134 MB on Node 24 (measured on a 1,000,000-message dry run), against the
 * bound of young-generation.ts set here through `resourceLimits`, as for the planning workers.
 *
 * Relayed: the worker's stdout and stderr (Node forwards them, in order, with back-pressure), its
 * exit code, SIGINT and SIGTERM (ui/terminal.ts hands them to the run's handler; one that nothing
 * handles, or a second while the worker has not answered the first, gets its default action here:
 * the process ends by that signal), and EPIPE on stdout: the reader went away (`| head`), which the
 * worker hears as SIGPIPE: a run stops as on SIGINT (checkpoint saved) and exits 141 (cli.ts); once
 * the run has ended nothing handles it, and the exit code stays the run's.
 */

// isatty, not process.stdin: the worker reads fd 0, and this thread never opens it.
const streams: HostedStreams = { stdinIsTTY: isatty(0), stderrIsTTY: isatty(2) };
const worker = new Worker(new URL('./cli.js', import.meta.url), {
  argv: process.argv.slice(2),
  workerData: { [HOSTED]: streams },
  resourceLimits: threadLimits(),
});

/** Signals sent to the worker that it has not answered yet. */
let unanswered = 0;
const forward = (signal: NodeJS.Signals): void => {
  if (unanswered++ > 0) return byDefault(signal);
  worker.postMessage({ signal } satisfies HostMessage);
};
const listen = (on: boolean): void => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.off(signal, forward);
    if (on) process.on(signal, forward);
  }
};
/** What the signal would have done had nobody listened: end the process. */
const byDefault = (signal: NodeJS.Signals): void => {
  listen(false);
  process.kill(process.pid, signal);
};
listen(true);

worker.on('message', (message: HostMessage) => {
  if ('handled' in message && message.handled !== 'SIGPIPE') unanswered = 0;
  if ('unhandled' in message && message.unhandled !== 'SIGPIPE') byDefault(message.unhandled);
});
worker.on('error', (error: unknown) => {
  // An exception nothing in the command line caught (cli.ts reports the expected ones itself).
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`Internal error: ${text}\nPlease report it with the command you ran.\n`);
  process.exitCode = 1;
});
worker.on('exit', (code) => {
  listen(false);
  process.exitCode ??= code;
});
let stdoutClosed = false;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // Once closed, later writes fail too: the first error said it all.
  if (stdoutClosed) return;
  if (error.code !== 'EPIPE') throw error;
  stdoutClosed = true;
  // What the worker still writes goes nowhere: left in the pipe, it would keep the worker from ending.
  worker.stdout.unpipe(process.stdout);
  worker.stdout.resume();
  worker.postMessage({ signal: 'SIGPIPE' } satisfies HostMessage);
});
