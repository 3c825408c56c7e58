#!/usr/bin/env node
// What a planning worker spends per record, on one thread and without the rest of the run: the first
// input file of an archive is cut into batches of 1,000 lines, then planned (parse, map, the chunk's
// encoding) `rounds` times; prints the fastest round's thread CPU per record. Profile it with
// `node --cpu-prof scripts/measure-planning.mjs …`.
//   npm run build && node scripts/measure-planning.mjs <archive dir> [summary|none|full] [rounds=6] [mapping file]
// (A worker's young generation is 12 MB: `node --max-semi-space-size=4` runs it with the same.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

const dist = resolve(import.meta.dirname, '..', 'dist');
const [dir, diff = 'summary', roundsText = '6', mappingFile] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node scripts/measure-planning.mjs <archive dir> [summary|none|full] [rounds] [mapping file]');
  process.exit(2);
}
const { RecordPlanner } = await import(join(dist, 'pipeline/planning/plan-record.js'));
const { ChunkWriter } = await import(join(dist, 'pipeline/planning/planned-codec.js'));
const { batchOfText } = await import(join(dist, 'input/line-batches.js'));
const { forEachItem } = await import(join(dist, 'input/batch-items.js'));
const { loadMapping } = await import(join(dist, 'config/mapping/load.js'));

const first = (path) => (statSync(path).isDirectory() ? first(join(path, readdirSync(path).filter((n) => !n.startsWith('.')).sort()[0])) : path);
const file = first(resolve(dir));
let bytes = readFileSync(file);
if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
const lines = bytes.toString('utf8').split('\n').filter((l) => l !== '');
const batches = [];
for (let i = 0; i < lines.length; i += 1000) batches.push(batchOfText(file, Buffer.from(lines.slice(i, i + 1000).join('\n') + '\n')));

const mapping = {
  preset: 'classic', pages: 'none', purchases: 'order-completed', time: 'timestamp', updateExistingOnly: false,
  appId: undefined, includeBrazeEvents: false, since: undefined, until: undefined,
  rules: mappingFile ? loadMapping(mappingFile, process.cwd()) : undefined,
};
const planner = new RecordPlanner(mapping, diff, { base: 0, stride: 2 });
const cpuMs = () => {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
let best = Infinity;
for (let round = 0; round < Number(roundsText); round++) {
  const started = cpuMs();
  for (const batch of batches) {
    const writer = new ChunkWriter(batch.starts.length);
    forEachItem(batch, (item, length) => planner.planInto(item, writer, length));
    writer.finish(planner.keys?.drain() ?? []);
  }
  best = Math.min(best, cpuMs() - started);
}
console.log(`${lines.length.toLocaleString('en')} records of ${file}, --diff ${diff}${mappingFile ? `, --mapping ${mappingFile}` : ''}: ` +
  `${((best * 1000) / lines.length).toFixed(2)} µs of CPU a record (fastest of ${roundsText} rounds)`);
