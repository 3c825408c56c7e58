import type { CommonConfig } from '../config/options.js';
import type { Discovered } from '../input/discover.js';
import type { S3Options } from '../input/s3/list.js';
import type { RunDeps } from '../pipeline/run-plan.js';
import type { S3Reading } from '../state/report.js';

/** How s3:// inputs are reached and read: --s3-endpoint, and the run's timeout, retries, clock and log. */
export function s3Options(config: CommonConfig, deps: RunDeps): S3Options {
  return {
    endpoint: config.s3Endpoint,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    sleep: (ms) => deps.sleep(ms),
    random: deps.random,
    onRetry: (message) => deps.log.warn(message),
  };
}

/**
 * What a run reports of its S3 inputs (the report's `s3`). The progress bar counts their bytes with
 * every input's (input/bytes-read.ts).
 */
export function watchS3(discovered: Discovered): { s3?: () => S3Reading } {
  const s3 = discovered.s3;
  if (!s3) return {};
  return { s3: () => ({ ...s3.stats }) };
}
