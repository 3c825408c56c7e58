/**
 * What the host (host.ts, the main thread) and the command line's worker (ui/terminal.ts) say to each
 * other. Apart so that the host loads nothing else of the command line.
 */

/** What the host tells the worker: which of its streams are terminals. */
export interface HostedStreams {
  readonly stdinIsTTY: boolean;
  readonly stderrIsTTY: boolean;
}

/** The key of `HostedStreams` in the worker's `workerData`. */
export const HOSTED = 'segmentBrazeHosted';

/**
 * Host -> worker: a signal arrived (SIGPIPE: stdout's reader went away). Worker -> host: a handler
 * took it, or none did.
 */
export type HostMessage = { readonly signal: NodeJS.Signals } | { readonly handled: NodeJS.Signals } | { readonly unhandled: NodeJS.Signals };
