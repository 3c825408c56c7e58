// What the state directory's lock costs (docs/state-lock.md), and, for comparison, proper-lockfile.
// Usage: npm run build && node scripts/measure-state-lock.mjs [iterations=2000] [proper-lockfile dir]
// The optional second argument is a directory where `npm install proper-lockfile@4.1.2` was run
// (it is not a dependency of segment-braze). Prints the mean time of a take + release, and with
// proper-lockfile, how long its lock blocks after its holder was killed (SIGKILL).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateLock } from '../dist/state/access/state-lock.js';

const iterations = Number(process.argv[2] ?? 2000);
const plfDir = process.argv[3];
const dir = mkdtempSync(join(tmpdir(), 'sb-lock-'));
const state = join(dir, 'state');
const options = { command: 'segment-braze replay logs/', now: new Date(), takeOver: false };

function mean(fn) {
  for (let i = 0; i < 100; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / iterations / 1000;
}

console.log(`segment-braze StateLock take + release: ${mean(() => StateLock.take(state, options, () => undefined).release()).toFixed(1)} µs (mean of ${iterations})`);
console.log('segment-braze StateLock while held: no timer, no write (the holder is judged by its pid, not by a heartbeat)');

if (plfDir) {
  const lockfile = createRequire(join(plfDir, 'package.json'))('proper-lockfile');
  const target = join(dir, 'state-plf');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(target);
  let total = 0n;
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    const release = await lockfile.lock(target, { realpath: false });
    await release();
    total += process.hrtime.bigint() - start;
  }
  console.log(`proper-lockfile lock + unlock: ${(Number(total) / iterations / 1000).toFixed(1)} µs (mean of ${iterations}; async)`);
  // A holder killed with SIGKILL: how long until the lock can be taken again (its default stale: 10 s).
  const holder = spawn(process.execPath, ['-e', `require(${JSON.stringify(join(plfDir, 'node_modules', 'proper-lockfile'))}).lock(${JSON.stringify(target)}, { realpath: false }).then(() => { console.log('locked'); setInterval(() => {}, 1000); })`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => holder.stdout.once('data', resolve));
  holder.kill('SIGKILL');
  await new Promise((resolve) => holder.once('exit', resolve));
  const killed = performance.now();
  for (;;) {
    try {
      const release = await lockfile.lock(target, { realpath: false });
      await release();
      break;
    } catch (error) {
      if (error.code !== 'ELOCKED') throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  console.log(`proper-lockfile after its holder was SIGKILLed: blocked for ${((performance.now() - killed) / 1000).toFixed(1)} s, and said only "Lock file is already being held" (no pid, host or command)`);
}
rmSync(dir, { recursive: true, force: true });
