// Measures how long `replay --stitch` takes to answer SIGINT once the identity index merge has begun
// (cli.md: about two seconds). Usage: node scripts/measure-merge-interrupt.mjs [links=3000000]
// Writes an archive of alias messages (one link each) to a temporary directory, runs the built CLI
// (npm run build first), sends SIGINT as soon as it logs "Merging the identity index", and prints
// the time from the signal to the exit, then the time the resumed run's merge takes.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const links = Number(process.argv[2] ?? 3_000_000);
const dir = mkdtempSync(join(tmpdir(), 'sb-merge-'));
const input = join(dir, 'links.ndjson');
const fd = openSync(input, 'w');
for (let i = 0; i < links; i += 100_000) {
  const lines = [];
  for (let j = i; j < Math.min(links, i + 100_000); j++) lines.push(`{"type":"alias","previousId":"a${j}","userId":"u${j}"}`);
  writeSync(fd, lines.join('\n') + '\n');
}
closeSync(fd);
const bin = new URL('../bin/segment-braze.js', import.meta.url).pathname;
const args = [bin, 'replay', input, '--stitch', '--dry-run', '--diff', 'none', '--state', join(dir, 'state')];

function run(interrupt) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let merging;
    let signalled;
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err += d;
      if (merging === undefined && err.includes('Merging the identity index')) {
        merging = performance.now();
        if (interrupt) {
          signalled = performance.now();
          child.kill('SIGINT');
        }
      }
      const built = /built in ([\d.]+) s/.exec(err);
      if (built && !interrupt && merging !== undefined) {
        resolve({ code: null, mergeMs: performance.now() - merging });
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code) => resolve({ code, answerMs: signalled === undefined ? undefined : performance.now() - signalled, built: /built in/.test(err) }));
  });
}

const stopped = await run(true);
console.log(`${links} links: SIGINT during the merge answered in ${stopped.answerMs?.toFixed(0)} ms (exit ${stopped.code}, merge finished first: ${stopped.built})`);
const resumed = await run(false);
console.log(`resumed: the merge took ${(resumed.mergeMs / 1000).toFixed(2)} s`);
rmSync(dir, { recursive: true, force: true });
