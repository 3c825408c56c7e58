#!/usr/bin/env node
// npm run bench [-- --messages 1000000 [--runs 1] [--skip-4n] [--skip-live] [--skip-s3] [--skip-stitch] [--skip-mapping]
//                   [--skip-files] [--skip-formats] [--keep]]
//
// Generates a realistic archive of N messages (gzipped NDJSON in Segment's S3 layout) once (cached in the
// temp dir by N and seed), then measures on the same files, each in its own process:
//   1. the floor: a plain loop that gunzips, splits lines and JSON.parses each line, nothing else;
//   2. `replay --dry-run` (records/s, peak RSS);
//   3. `replay` against the emulator (separate process, no rate limit) (requests/s, objects/s, peak RSS);
//   4. `replay --dry-run` reading the same archive from a local S3 server (s3rver, loopback);
//   5. `replay --dry-run --mapping scripts/bench-mapping.json` (a typical mapping file: every kind of rule);
// and prints a table with the ratios 2/1 (speed and CPU), 3/2 (CPU per record), 4/2 and 5/2; then the shape
// lines (scripts/bench-shapes.mjs): N/5 messages in 20,000 files against 16, and N/4 messages as CSV and as one
// JSON array against NDJSON. It then runs 2 at 4N and prints the memory ratio.
// --scale runs the scale bench instead (scripts/bench-scale.mjs): N, 4N and 16N, and N in 20,000 files.
// --runs N repeats phases 1-3 in N interleaved rounds and reports each phase's fastest run, with the
// slowest beside it (a shared 2-core machine varies by ±15% from run to run) and the highest peak RSS.
// Peak RSS is the child's own maxRSS (process.resourceUsage), read through scripts/bench-rss.mjs.

import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startS3Bench } from './bench-s3.mjs';
import { cachedArchive } from './generate-archive.mjs';
import { stitchArchive } from './bench-stitch.mjs';
import { shapeLines } from './bench-shapes.mjs';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'segment-braze.js');
const rssHook = join(root, 'scripts', 'bench-rss.mjs');
const floorScript = join(root, 'scripts', 'bench-floor.mjs');
const mappingFile = join(root, 'scripts', 'bench-mapping.json');

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    'skip-4n': { type: 'boolean', default: false },
    'skip-live': { type: 'boolean', default: false },
    'skip-s3': { type: 'boolean', default: false },
    'skip-stitch': { type: 'boolean', default: false },
    'skip-mapping': { type: 'boolean', default: false },
    'skip-files': { type: 'boolean', default: false },
    'skip-formats': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    scale: { type: 'boolean', default: false },
  },
});
const N = Number(values.messages);
const runs = Math.max(1, Number(values.runs));
const seed = Number(values.seed);

function archive(messages) {
  const dir = join(tmpdir(), `segment-braze-bench-${messages}-${seed}`);
  return cachedArchive(dir, { messages, files: 8, seed, format: 'ndjson', gzip: true, layout: 's3' });
}

/** Runs a node script in a child process; resolves with its stdout, wall time and peak RSS (MB). */
function measure(args, env = {}) {
  const rssFile = join(tmpdir(), `segment-braze-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', rssHook, ...args], {
      env: { ...process.env, BENCH_RSS_FILE: rssFile, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0 && code !== 3) return reject(new Error(`${args.join(' ')} exited ${code}\n${stderr}`));
      const [rss, cpu] = readFileSync(rssFile, 'utf8').split(' ').map(Number);
      rmSync(rssFile, { force: true });
      resolvePromise({ stdout, stderr, seconds, rssMb: rss / 1024, cpuSeconds: cpu / 1e6 });
    });
  });
}

async function floor(dir) {
  const run = await measure([floorScript, dir]);
  return { ...run, records: Number(run.stdout.trim()) };
}

async function dryRun(input, extra = [], env = {}) {
  const state = join(tmpdir(), `segment-braze-bench-state-${process.pid}`);
  const run = await measure([bin, 'replay', input, '--dry-run', '--state', state, '--restart', '--json', '--quiet', ...extra], env);
  const page = pageOf(state);
  rmSync(state, { recursive: true, force: true });
  const report = JSON.parse(run.stdout);
  return { ...run, report, records: report.records.read, page };
}

/**
 * The dry run's page: its size, and how long it took to render and write (report.html is written right
 * after report.json: the time between their modification times); and the size of what a checkpoint keeps
 * for it (page-data.json).
 */
function pageOf(state) {
  const html = statSync(join(state, 'report.html'));
  return { bytes: html.size, ms: html.mtimeMs - statSync(join(state, 'report.json')).mtimeMs, dataBytes: statSync(join(state, 'page-data.json')).size };
}

async function startEmulator() {
  const child = spawn(process.execPath, [bin, 'emulator', '--port', '0', '--rate-limit', '1000000000'], {
    env: { ...process.env, BRAZE_API_KEY: 'bench-key-0000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolveUrl, reject) => {
    child.stdout.on('data', (d) => {
      const m = /listening on (\S+)/.exec(String(d));
      if (m) resolveUrl(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`emulator exited ${code}`)));
  });
  return { url, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) };
}

async function live(dir) {
  const emulator = await startEmulator();
  const state = join(tmpdir(), `segment-braze-bench-live-${process.pid}`);
  try {
    const run = await measure(
      [bin, 'replay', dir, '--endpoint', emulator.url, '--state', state, '--restart', '--rate', '100000', '--concurrency', '16', '--json', '--quiet'],
      { BRAZE_API_KEY: 'bench-key-0000' },
    );
    const report = JSON.parse(run.stdout);
    const objects = report.objects.attributes + report.objects.events + report.objects.purchases;
    return { ...run, report, records: report.records.read, requests: report.requests.sent, objects };
  } finally {
    await emulator.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main() {
  if (values.scale) {
    const { scaleBench } = await import('./bench-scale.mjs');
    return scaleBench({ N, seed, measure, bin, floorScript, keep: values.keep });
  }
  const a = await archive(N);
  process.stderr.write(`Archive: ${fmt(a.messages)} messages, ${fmt(a.bytes / 1e6, 1)} MB gzipped (${fmt(a.rawBytes / a.messages)} bytes a message)\n`);
  const rounds = { f: [], d: [], l: [], s: [], m: [] };
  const s3 = values['skip-s3'] ? undefined : await startS3Bench(root, a.dir);
  try {
    for (let round = 0; round < runs; round++) {
      rounds.f.push(await floor(a.dir));
      rounds.d.push(await dryRun(a.dir));
      if (!values['skip-mapping']) rounds.m.push(await dryRun(a.dir, ['--mapping', mappingFile]));
      if (!values['skip-live']) rounds.l.push(await live(a.dir));
      if (s3) rounds.s.push(await dryRun(s3.url, ['--s3-endpoint', s3.endpoint], s3.env));
    }
  } finally {
    await s3?.stop();
  }
  const [f, d, l, s, m] = [best(rounds.f), best(rounds.d), best(rounds.l), best(rounds.s), best(rounds.m)];
  const rows = [
    ['1. floor: gunzip + split + JSON.parse', f, `${fmt(f.records / f.seconds)} records/s`],
    ['2. replay --dry-run', d, `${fmt(d.records / d.seconds)} records/s`],
  ];
  if (l) rows.push(['3. replay -> emulator', l, `${fmt(l.requests / l.seconds)} requests/s, ${fmt(l.objects / l.seconds)} objects/s`]);
  if (s) rows.push(['4. replay --dry-run from S3 (s3rver)', s, `${fmt(s.records / s.seconds)} records/s, ${s.report.s3.retried} S3 retries`]);
  if (m) rows.push(['5. replay --dry-run --mapping (typical)', m, `${fmt(m.records / m.seconds)} records/s`]);
  console.log(`\nsegment-braze bench: ${fmt(N)} messages, node ${process.version}${runs > 1 ? `, fastest of ${runs} runs (slowest in brackets)` : ''}\n`);
  console.log(`${'phase'.padEnd(40)} ${'seconds'.padStart(runs > 1 ? 16 : 8)}  ${'peak RSS'.padStart(9)}  throughput`);
  for (const [name, r, t] of rows) {
    const seconds = runs > 1 ? `${fmt(r.seconds, 2)} (${fmt(r.slowest, 2)})` : fmt(r.seconds, 2);
    console.log(`${name.padEnd(40)} ${seconds.padStart(runs > 1 ? 16 : 8)}  ${`${fmt(r.rssMb)} MB`.padStart(9)}  ${t}`);
  }
  const speed = f.seconds / d.seconds;
  const cpu = d.cpuSeconds / f.cpuSeconds;
  console.log(`\nCPU (user + sys, every thread): floor ${fmt(f.cpuSeconds, 2)} s, dry run ${fmt(d.cpuSeconds, 2)} s${l ? `, live ${fmt(l.cpuSeconds, 2)} s` : ''}`);
  console.log(`ratio 2/1 (dry run vs floor): ${fmt(speed, 2)}x the floor's speed (target >= 0.60: ${speed >= 0.6 ? 'met' : 'NOT met'}; goal 1.00), ` +
    `${fmt(cpu, 2)}x its CPU (target <= 3.00: ${cpu <= 3 ? 'met' : 'NOT met'}; goal 2.00)`);
  if (l) {
    const perRecord = (l.cpuSeconds / l.records) / (d.cpuSeconds / d.records);
    console.log(`ratio 3/2 (live vs dry run): ${fmt(l.seconds / d.seconds, 2)}x the time, ${fmt(perRecord, 2)}x the CPU per record (target <= 1.20: ${perRecord <= 1.2 ? 'met' : 'NOT met'})`);
  }
  dataPoints(d.report);
  console.log(`report.html: ${fmt(d.page.bytes / 1024)} KB (limit 2,048 KB), rendered and written in ${fmt(d.page.ms, 1)} ms; page-data.json (kept at each checkpoint) ${fmt(d.page.dataBytes / 1024)} KB`);
  if (s) {
    const same = JSON.stringify(s.report.records) === JSON.stringify(d.report.records);
    console.log(`ratio 4/2 (S3 vs disk dry run, throughput): ${fmt(d.seconds / s.seconds, 2)}x   (target >= 0.80; same records: ${same ? 'yes' : 'NO'})`);
  }
  if (m) console.log(`ratio 5/2 (mapping file vs none, time): ${fmt(m.seconds / d.seconds, 2)}   (target <= 1.10)`);
  if (!values['skip-files'] || !values['skip-formats']) {
    await shapeLines({
      fileMessages: Math.round(N / 5), formatMessages: Math.round(N / 4), seed, runs,
      files: !values['skip-files'], formats: !values['skip-formats'], dryRun: (dir) => dryRun(dir),
    });
  }
  if (!values['skip-stitch']) await stitchLine(a.dir, d);
  if (!values['skip-4n']) {
    const big = await archive(4 * N);
    const d4 = await dryRun(big.dir);
    console.log(`\ndry run at 4N (${fmt(4 * N)}): ${fmt(d4.seconds, 2)} s, ${fmt(d4.records / d4.seconds)} records/s, peak RSS ${fmt(d4.rssMb)} MB`);
    console.log(`memory ratio 4N/N: ${fmt(d4.rssMb / d.rssMb, 2)}   accounting identity at 4N: ${identity(d4.report) ? 'holds' : 'BROKEN'}`);
    if (!values.keep) rmSync(big.dir, { recursive: true, force: true });
  }
  if (!values.keep) rmSync(a.dir, { recursive: true, force: true });
}

/**
 * The --stitch line: a dry run with --stitch over the archive plus a file of late sign-ups
 * (bench-stitch.mjs): the index pass's own time (the run logs it), the whole run's, and peak RSS.
 */
async function stitchLine(dir, plain) {
  const input = await stitchArchive(dir);
  const state = join(tmpdir(), `segment-braze-bench-stitch-${process.pid}`);
  const run = await measure([bin, 'replay', input, '--dry-run', '--stitch', '--state', state, '--restart', '--json', '--diff', 'none']);
  rmSync(state, { recursive: true, force: true });
  const report = JSON.parse(run.stdout);
  const index = Number(/built in ([\d.]+) s/.exec(run.stderr)?.[1]);
  const r = report.records;
  console.log(`\n--stitch: index pass ${fmt(index, 2)} s (${fmt(index / plain.seconds, 2)} of the dry run's ${fmt(plain.seconds, 2)} s), dry run --stitch ${fmt(run.seconds, 2)} s, peak RSS ${fmt(run.rssMb)} MB; ` +
    `${fmt(r.stitched)} records stitched, anonymous left ${fmt(r.skipped.anonymous)} (${Object.entries(r.anonymous).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}); identity ${identity(report) ? 'holds' : 'BROKEN'}`);
}

/** The fastest of a phase's runs, with the slowest time and the highest peak RSS of them all. */
function best(results) {
  if (results.length === 0) return undefined;
  const fastest = results.reduce((x, y) => (y.seconds < x.seconds ? y : x));
  return { ...fastest, slowest: Math.max(...results.map((r) => r.seconds)), rssMb: Math.max(...results.map((r) => r.rssMb)) };
}

/** Braze data points of the archive with --attributes all and changed (the default): the dry run reports both. */
function dataPoints(report) {
  const changed = report.dataPoints;
  const all = changed + report.dataPointsSaved;
  console.log(`data points: --attributes all ${fmt(all)}, changed ${fmt(changed)} (${fmt((100 * (all - changed)) / all, 1)}% saved; ` +
    `${fmt(report.objects.attributesUnchanged)} attribute values unchanged, ${fmt(report.records.skipped.unchanged)} records left with nothing to send)`);
}

function identity(report) {
  const r = report.records;
  return r.read === r.sent + r.rejected + Object.values(r.skipped).reduce((x, y) => x + y, 0);
}

await main();
