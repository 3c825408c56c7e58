import type { CommonConfig } from '../config/options.js';
import type { RunDeps } from '../pipeline/run-plan.js';
import type { LockOptions } from '../state/access/state-lock.js';

/** What a run's lock says of it (its command line, from now) and whether it may take one from another host. */
export function lockOptions(config: CommonConfig, deps: RunDeps): LockOptions {
  return { command: deps.resumeCommand.replace(/^npx /, ''), now: new Date(deps.now()), takeOver: config.takeOverLock, atSignalDeath: deps.onUnhandledSignal };
}
