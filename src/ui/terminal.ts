import { createReadStream, fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import { createInterface } from 'node:readline/promises';
import { Readable, type Writable } from 'node:stream';
import tty from 'node:tty';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { HOSTED, type HostedStreams, type HostMessage } from './hosted.js';

/**
 * The process's standard streams and signals as the command line sees them, whether it runs on the
 * main thread or, as `bin/segment-braze.js` runs it, in the worker that `host.ts` starts.
 *
 * In that worker `process.stdout` and `process.stderr` are forwarded to the main thread's (in order,
 * with back-pressure), `process.stdin` is empty, signals are not delivered and nothing is a terminal.
 * So: stdout stays `process.stdout`; stderr is the terminal itself (a `tty.WriteStream` on fd 2) when
 * it is one, so that the progress bar can draw, and the forwarded stream otherwise; stdin is fd 0,
 * opened when first read; SIGINT and SIGTERM come as messages from the host, and one that no handler
 * here takes is sent back, for the host to give it its default action. SIGPIPE comes the same way
 * when stdout's reader went away (host.ts).
 */

const hosted = isMainThread ? undefined : ((workerData as Record<string, unknown> | null)?.[HOSTED] as HostedStreams | undefined);

export const stdinIsTTY: boolean = hosted ? hosted.stdinIsTTY : process.stdin.isTTY === true;
export const stderrIsTTY: boolean = hosted ? hosted.stderrIsTTY : process.stderr.isTTY === true;

/** Where messages, progress and errors go. */
export const stderr: Writable = hosted?.stderrIsTTY ? terminalStderr() : process.stderr;

/** The stream read for '-': fd 0, opened on first read (a run that does not read stdin never opens it). */
export const stdin: NodeJS.ReadableStream = hosted ? lazily(openStdin) : process.stdin;

function terminalStderr(): Writable {
  const stream = new tty.WriteStream(2);
  // Writes to a terminal are synchronous; the handle must not keep the worker alive.
  stream.unref();
  return stream;
}

/** fd 0 as Node opens process.stdin: a terminal, a pipe or socket, or a file. */
function openStdin(): Readable {
  if (tty.isatty(0)) return new tty.ReadStream(0);
  const stat = fstatSync(0);
  // A pipe is a socket here, so that releaseStdin (input/open.ts) can let the process end mid-stream.
  if (stat.isFIFO() || stat.isSocket()) return new Socket({ fd: 0, readable: true, writable: false });
  return createReadStream('', { fd: 0, autoClose: false });
}

function lazily(open: () => Readable): Readable {
  let opened: Readable | undefined;
  const lazy = Readable.from(
    (async function* () {
      opened = open();
      yield* opened;
    })(),
    { objectMode: false },
  );
  // releaseStdin unrefs what it is given: pass it on to fd 0's stream.
  return Object.assign(lazy, { unref: () => (opened as { unref?: () => void } | undefined)?.unref?.() });
}

/** Asks on the terminal (stdinIsTTY must be true) and returns the line typed. */
export async function ask(question: string): Promise<string> {
  // In the worker: the terminal's own line editing and echo (not raw mode), on a stream of our own
  // that is let go afterwards, so that it does not keep the worker alive.
  const input = hosted ? new tty.ReadStream(0) : process.stdin;
  const rl = createInterface({ input, output: stderr, terminal: !hosted });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
    if (hosted) {
      input.pause();
      (input as tty.ReadStream).unref();
    }
  }
}

const handlers = new Set<(signal: string) => void>();
if (hosted) {
  // Listens from the start (a signal sent early waits in the port), without keeping the worker alive.
  parentPort!.on('message', fromHost);
  parentPort!.unref();
}

/** Registers a SIGINT/SIGTERM handler; returns the function that removes it. */
export function onSignal(handler: (signal: string) => void): () => void {
  if (!hosted) {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  }
  handlers.add(handler);
  return () => {
    handlers.delete(handler);
  };
}

let stdoutGone = false;

/** Whether the host said that stdout's reader went away (SIGPIPE): a run it stopped exits 141 (cli.ts). */
export function stdoutClosed(): boolean {
  return stdoutGone;
}

const lastWords = new Set<() => void>();

/**
 * Registers what must still happen when a signal that no handler takes is about to end the process
 * (the host kills it by that signal, and no exit handler of this thread runs): e.g. release the state
 * directory's lock. Returns the function that removes it.
 */
export function onUnhandledSignal(last: () => void): () => void {
  lastWords.add(last);
  return () => {
    lastWords.delete(last);
  };
}

function fromHost(message: HostMessage): void {
  if (!('signal' in message)) return;
  const { signal } = message;
  if (signal === 'SIGPIPE') stdoutGone = true;
  if (handlers.size === 0 && signal !== 'SIGPIPE') for (const last of [...lastWords]) last();
  parentPort!.postMessage((handlers.size > 0 ? { handled: signal } : { unhandled: signal }) satisfies HostMessage);
  for (const handler of [...handlers]) handler(signal);
}
