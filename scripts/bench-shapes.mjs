// The bench's shape lines (npm run bench): the same messages in other shapes, each against NDJSON in the
// shape the tool reads fastest, so the ratio is the cost of the shape alone.
//   - many small files: M messages (N/5) in 20,000 files against the same M in 16 files (target <= 1.5x the time);
//   - CSV: M (N/4) track-like messages in one gzipped CSV file against the same messages as one NDJSON file;
//   - JSON array: M archive messages as one gzipped JSON array against the same as one NDJSON file
//     (targets <= 1.5x the time of NDJSON).
// Archives are generated once per shape, size and seed and cached in the temp directory.

import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedArchive } from './generate-archive.mjs';

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const cached = (name, options) => cachedArchive(join(tmpdir(), `segment-braze-shape-${name}`), options);

/**
 * Runs the shape pairs with `dryRun(dir)` (which returns { seconds, cpuSeconds, rssMb, report }), in
 * `runs` alternating rounds, and prints each ratio of the fastest runs. Returns the archives it made.
 */
export async function shapeLines({ fileMessages, formatMessages, seed, runs, dryRun, files = true, formats = true }) {
  const pairs = [];
  if (files) {
    const messages = fileMessages;
    const few = await cached(`${messages}-16-${seed}`, { messages, files: 16, seed, format: 'ndjson', gzip: true, layout: 's3' });
    const many = await cached(`${messages}-20000-${seed}`, { messages, files: 20_000, seed, format: 'ndjson', gzip: true, layout: 's3' });
    pairs.push({ name: `20,000 files vs 16 (${fmt(messages)} messages)`, base: few, shape: many, target: 1.5 });
  }
  if (formats) {
    const messages = formatMessages;
    const common = { messages, files: 1, seed, gzip: true, layout: 'flat' };
    const csvNd = await cached(`${messages}-csvmix-ndjson-${seed}`, { ...common, format: 'ndjson', mix: 'csv' });
    const csv = await cached(`${messages}-csv-${seed}`, { ...common, format: 'csv' });
    const nd = await cached(`${messages}-ndjson-1-${seed}`, { ...common, format: 'ndjson' });
    const json = await cached(`${messages}-json-${seed}`, { ...common, format: 'json' });
    pairs.push({ name: `CSV vs NDJSON (${fmt(messages)} messages, one file)`, base: csvNd, shape: csv, target: 1.5 });
    pairs.push({ name: `JSON array vs NDJSON (${fmt(messages)}, one file)`, base: nd, shape: json, target: 1.5 });
  }
  for (const pair of pairs) {
    // Both archives' files read once, untimed: the first run over 20,000 files that had left the
    // system's caches took 4.6 s where the next took 3.1-3.4 (the file system's, not the tool's, cost).
    warm(pair.base.dir);
    warm(pair.shape.dir);
    pair.baseRuns = [];
    pair.shapeRuns = [];
    for (let round = 0; round < runs; round++) {
      pair.baseRuns.push(await dryRun(pair.base.dir));
      pair.shapeRuns.push(await dryRun(pair.shape.dir));
    }
  }
  console.log('');
  for (const pair of pairs) {
    const base = fastest(pair.baseRuns);
    const shape = fastest(pair.shapeRuns);
    const ratio = shape.seconds / base.seconds;
    const same = JSON.stringify(base.report.records) === JSON.stringify(shape.report.records);
    console.log(`${pair.name.padEnd(44)} ${fmt(shape.seconds, 2)} s vs ${fmt(base.seconds, 2)} s = ${fmt(ratio, 2)}x the time ` +
      `(target <= ${fmt(pair.target, 1)}: ${ratio <= pair.target ? 'met' : 'NOT met'}; CPU ${fmt(shape.cpuSeconds, 1)} vs ${fmt(base.cpuSeconds, 1)} s; ` +
      `peak RSS ${fmt(shape.rssMb)} vs ${fmt(base.rssMb)} MB; same records: ${same ? 'yes' : 'NO'})`);
  }
}

/** Reads every file under `dir` (the archive's bytes and the file system's entries into its caches). */
function warm(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) warm(path);
    else readFileSync(path);
  }
}

const fastest = (runs) => runs.reduce((x, y) => (y.seconds < x.seconds ? y : x));
