import type { ResourceLimits } from 'node:worker_threads';

/**
 * The young generation (MB) of every thread that does the run's work: the run thread that host.ts
 * starts and the planning workers (pipeline/planning/plan-pool.ts). V8's default is sized from the machine's
 * RAM (~33 MB on Node 20, ~134 MB on Node 24 on a busy thread) and can only be set on node's own
 * command line, which `npx` does not give; a worker's `resourceLimits` sets it for that thread at its
 * start. 12 MB is three 4 MB semi-spaces: scavenges stay cheap and peak memory flat (docs/architecture.md).
 * This is the only place it is set.
 */
const YOUNG_GENERATION_MB = 12;

/** A worker's `resourceLimits`: the young generation above, and an old generation cap when given. */
export function threadLimits(maxOldGenerationSizeMb?: number): ResourceLimits {
  return maxOldGenerationSizeMb === undefined ? { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } : { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, maxOldGenerationSizeMb };
}
