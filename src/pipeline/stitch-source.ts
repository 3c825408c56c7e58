import type { ReplayConfig } from '../config/options.js';
import { PlanPool } from './planning/plan-pool.js';
import type { IndexPassPlan } from './run-plan.js';
import { IDENTITY, IdentityIndex, stitching as lookupsOf, type IdentityMark } from '../state/identity/index.js';
import type { RunState } from '../state/run-state.js';
import type { Stitching } from '../transform/stitch.js';

/**
 * `replay --stitch`'s sources: the identity index, opened as a run memory of the state directory; the
 * index pass's reader (the planning pool in its links mode); and, for the replay pass, the state
 * directory the planning workers open the index from (read-only) with the lookups of the main thread.
 */
export function stitching(config: ReplayConfig, stdin: NodeJS.ReadableStream): { plan: IndexPassPlan; lookups: (state: RunState) => { dir: string; here: Stitching } } {
  let index: IdentityIndex | undefined;
  const plan: IndexPassPlan = {
    open: (state) => (index = state.memory.open<IdentityMark, IdentityIndex>(IDENTITY, (mark) => IdentityIndex.open(state.dir, { mark }))),
    reader: () =>
      new PlanPool({ mapping: config.mapping, diff: 'none', format: config.format, stdin, workers: config.workers, onDefs: () => undefined, mode: 'links' }),
  };
  const lookups = (state: RunState) => {
    if (!index) throw new Error('The identity index is opened before the replay pass');
    // Sealed by the index pass (its runs merged into the one file the workers read) before it handed over.
    if (!index.sealed) throw new Error('The identity index is sealed before the replay pass');
    return { dir: state.dir, here: lookupsOf(index) };
  };
  return { plan, lookups };
}
