/**
 * The young generation (MB) of every thread that does the run's work: the run thread that host.ts
 * starts and the planning workers (pipeline/plan-pool.ts). V8's default is sized from the machine's
 * RAM (~33 MB on Node 20, ~134 MB on Node 24 on a busy thread) and can only be set on node's own
 * command line, which `npx` does not give; a worker's `resourceLimits` sets it for that thread at its
 * start. 12 MB is three 4 MB semi-spaces: scavenges stay cheap and peak memory flat (docs/memory.md).
 * This is the only place it is set.
 */
export const YOUNG_GENERATION_MB = 12;
