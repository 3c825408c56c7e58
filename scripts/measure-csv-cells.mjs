#!/usr/bin/env node
// What cutting CSV rows into cells costs a planning worker (docs/performance.md, "JSON arrays and CSV"):
// the rows of a CSV (the bench's: `npm run bench` caches it in the temp directory) in batches of 1,000,
// each batch cut by csv-parse (as before) and by d3-dsv (as csv-rows.ts does now) on one thread; prints
// the fastest of 8 rounds' thread CPU per row, and whether both gave the same cells.
//   node --max-semi-space-size=4 scripts/measure-csv-cells.mjs /tmp/segment-braze-shape-250000-csv-1/part-0001.csv.gz
// (A row of the bench's CSV holds no newline, so its rows are its lines.)
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { csvParseRows } from 'd3-dsv';

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/measure-csv-cells.mjs <file.csv[.gz]>');
  process.exit(2);
}
let bytes = readFileSync(file);
if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
const rows = bytes.toString('utf8').split('\n').slice(1, 100_001).filter((row) => row !== '');
const batches = [];
for (let i = 0; i < rows.length; i += 1000) batches.push(Buffer.from(`${rows.slice(i, i + 1000).join('\n')}\n`));

const ways = {
  'csv-parse': (batch) => parse(batch, { relax_column_count: true, record_delimiter: '\n' }),
  'd3-dsv': (batch) => csvParseRows(batch.toString('utf8')),
};
const cpuMs = () => {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const same = batches.every((batch) => JSON.stringify(ways['csv-parse'](batch)) === JSON.stringify(ways['d3-dsv'](batch)));
for (const [name, cut] of Object.entries(ways)) {
  let best = Infinity;
  for (let round = 0; round < 8; round++) {
    const started = cpuMs();
    for (const batch of batches) cut(batch);
    best = Math.min(best, cpuMs() - started);
  }
  console.log(`${name}: ${((best * 1000) / rows.length).toFixed(2)} µs of CPU a row (${rows.length.toLocaleString('en')} rows)`);
}
console.log(`the same cells: ${same ? 'yes' : 'NO'}`);
