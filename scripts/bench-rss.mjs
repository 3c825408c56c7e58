// Loaded with `node --import` by scripts/bench.mjs: writes the process's peak RSS (KiB) on exit, and
// after it the CPU time (user + system, microseconds) of the whole process, every thread included.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  if (process.env.BENCH_RSS_FILE) writeFileSync(process.env.BENCH_RSS_FILE, `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}`);
});
