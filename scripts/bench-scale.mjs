// npm run bench -- --scale [--messages 1000000] [--keep]
//
// Archives of any size (issue 13): dry-runs generated archives of N, 4N and 16N messages (one year of
// message time each, far more than the 48 h duplicate window), each in its own process, and prints peak
// RSS, the state directory's size (all of it, and without requests.ndjson / rejected.ndjson) and
// records/s, with the ratios 16N/N (targets: RSS and state <= 1.15x, throughput not lower); then the
// same N messages in 20,000 files against 16 files (target: <= 1.3x the time); and the CPU time (user
// + system, all threads) per million records of the floor (gunzip + split + JSON.parse) and of the
// dry run, and their ratio.

import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedArchive } from './generate-archive.mjs';

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function archive(messages, files, seed) {
  const dir = join(tmpdir(), `segment-braze-scale-${messages}-${files}-${seed}`);
  return cachedArchive(dir, { messages, files, seed, format: 'ndjson', gzip: true, layout: 's3' });
}

/** Bytes under `path`, and the same without the files named in `except`. */
function size(path, except = []) {
  let all = 0;
  let kept = 0;
  for (const name of readdirSync(path)) {
    const full = join(path, name);
    const st = statSync(full);
    if (st.isDirectory()) {
      const inner = size(full, except);
      all += inner.all;
      kept += inner.kept;
    } else {
      all += st.size;
      if (!except.includes(name)) kept += st.size;
    }
  }
  return { all, kept };
}

export async function scaleBench({ N, seed, measure, bin, floorScript, keep }) {
  const dryRun = async (dir) => {
    const state = join(tmpdir(), `segment-braze-scale-state-${process.pid}`);
    const run = await measure([bin, 'replay', dir, '--dry-run', '--state', state, '--restart', '--json', '--quiet', '--diff', 'none']);
    const bytes = size(state, ['requests.ndjson', 'rejected.ndjson']);
    rmSync(state, { recursive: true, force: true });
    const report = JSON.parse(run.stdout);
    return { ...run, report, records: report.records.read, state: bytes };
  };
  const rows = [];
  const made = [];
  for (const k of [1, 4, 16]) {
    const a = await archive(k * N, 16 * k, seed);
    made.push(a.dir);
    const d = await dryRun(join(a.dir, 'segment-logs'));
    rows.push({ name: `${k}N = ${fmt(k * N)} messages, ${16 * k} files`, ...d });
  }
  const many = await archive(N, 20_000, seed);
  made.push(many.dir);
  const small = await dryRun(join(many.dir, 'segment-logs'));
  const floor = await measure([floorScript, join(tmpdir(), `segment-braze-scale-${N}-16-${seed}`)]);
  const floorRecords = Number(floor.stdout.trim());

  console.log(`\nsegment-braze scale bench: N = ${fmt(N)}, node ${process.version}, dry runs (--diff none, default --dedup-window 48h, --keep-requests 10000)\n`);
  console.log(`${'archive'.padEnd(36)} ${'seconds'.padStart(8)} ${'peak RSS'.padStart(9)} ${'state'.padStart(9)} ${'state*'.padStart(8)} ${'records/s'.padStart(10)} ${'dups'.padStart(7)}`);
  for (const r of [...rows, { name: `N in 20,000 files`, ...small }]) {
    console.log(`${r.name.padEnd(36)} ${fmt(r.seconds, 2).padStart(8)} ${`${fmt(r.rssMb)} MB`.padStart(9)} ${`${fmt(r.state.all / 1e6, 1)} MB`.padStart(9)} ${`${fmt(r.state.kept / 1e6, 1)} MB`.padStart(8)} ${fmt(r.records / r.seconds).padStart(10)} ${fmt(r.report.records.skipped.duplicate).padStart(7)}`);
  }
  console.log('(state* = the state directory without requests.ndjson and rejected.ndjson)');
  const [one, , sixteen] = rows;
  const ok = (v, target, higher = false) => ((higher ? v >= target : v <= target) ? 'met' : 'NOT met');
  const rss = sixteen.rssMb / one.rssMb;
  const state = sixteen.state.all / one.state.all;
  const speed = sixteen.records / sixteen.seconds / (one.records / one.seconds);
  const files = small.seconds / one.seconds;
  console.log(`\n16N/N peak RSS:      ${fmt(rss, 2)}x   (target <= 1.15: ${ok(rss, 1.15)})`);
  console.log(`16N/N state size:    ${fmt(state, 2)}x   (target <= 1.15: ${ok(state, 1.15)}; without requests.ndjson ${fmt(sixteen.state.kept / one.state.kept, 2)}x)`);
  console.log(`16N/N records/s:     ${fmt(speed, 2)}x   (target >= 1.00: ${ok(speed, 1, true)})`);
  console.log(`20,000 files / 16:   ${fmt(files, 2)}x the time   (target <= 1.30: ${ok(files, 1.3)})`);
  const floorCpu = (floor.cpuSeconds / floorRecords) * 1e6;
  const dryCpu = (one.cpuSeconds / one.records) * 1e6;
  console.log(`\nCPU (user + sys, all threads) per million records: floor ${fmt(floorCpu, 2)} s, dry run ${fmt(dryCpu, 2)} s, ratio ${fmt(dryCpu / floorCpu, 2)}x`);
  const same = JSON.stringify(small.report.records) === JSON.stringify(one.report.records);
  console.log(`same records from 20,000 files as from 16: ${same ? 'yes' : 'NO'}`);
  if (!keep) for (const dir of made) rmSync(dir, { recursive: true, force: true });
}
