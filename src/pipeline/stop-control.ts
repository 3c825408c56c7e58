/** Shared with the caller: `stopped` is set by a signal handler, `filesDone` feeds the progress bar. */
export interface RunControl {
  stopped: boolean;
  filesDone: number;
  /**
   * Calls `listener` when a stop is asked for (as `stopped` is set) or a request failed for good;
   * returns what removes it. A read still waiting for input (stdin from a producer that has gone
   * quiet) is then abandoned instead of holding the stop until more comes.
   */
  onStop(listener: () => void): () => void;
}

/** Where signals come from, and how a second one ends the process (the run's RunDeps give both). */
export interface Signals {
  readonly onSignal: (handler: (signal: string) => void) => () => void;
  readonly exitNow: (code: number) => void;
}

/** A pass's stop control, listening to SIGINT, SIGTERM and SIGPIPE (stdout closed by its reader). */
export interface StopControl {
  readonly control: RunControl;
  /** Wakes every read waiting on the control (a request failed for good) without a stop. */
  wake(): void;
  /** Stops listening to signals. */
  remove(): void;
}

/**
 * The one stop control of both passes over the inputs: the first signal stops reading at once
 * (`onFirst` says so to the user); a second Ctrl-C or SIGTERM exits at once, but the output closing
 * is no such haste.
 */
export function stopOnSignals(deps: Signals, filesDone: number, onFirst: (signal: string) => void = () => undefined): StopControl {
  const listeners = new Set<() => void>();
  const wake = (): void => listeners.forEach((listener) => listener());
  const control: RunControl = {
    stopped: false,
    filesDone,
    onStop: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const remove = deps.onSignal((signal) => {
    if (control.stopped && signal !== 'SIGPIPE') deps.exitNow(130);
    if (control.stopped) return;
    control.stopped = true;
    wake();
    onFirst(signal);
  });
  return { control, wake, remove };
}
