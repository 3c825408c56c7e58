#!/usr/bin/env node
// node scripts/bench-mapping-cost.mjs [rounds] [base-bin]
// What --mapping costs: dry runs of one 200,000-message archive (generated once into the temp dir),
// alternating, each in its own process: without a mapping file, with scripts/bench-mapping.json, and,
// when a second built copy of the tool is named (e.g. the commit before --mapping), with that copy.
// Prints wall and CPU (user + sys, from /usr/bin/time) seconds per run, min and median, and the ratios.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateArchive } from './generate-archive.mjs';

const root = resolve(import.meta.dirname, '..');
const dir = join(tmpdir(), 'segment-braze-mapping-cost-200000');
const state = join(tmpdir(), 'segment-braze-mapping-cost-state');
if (!existsSync(dir + '.ok')) { await generateArchive({ dir, messages: 200000, files: 8, seed: 1, format: 'ndjson', gzip: true, layout: 's3' }); (await import('node:fs')).writeFileSync(dir + '.ok', ''); }
const bin = join(root, 'bin', 'segment-braze.js');
const runs = {
  ...(process.argv[3] ? { base: [process.argv[3]] } : {}),
  none: [bin],
  mapping: [bin, '--mapping', join(root, 'scripts', 'bench-mapping.json')],
};
const times = {}; const cpus = {};
for (let round = 0; round < Number(process.argv[2] ?? 4); round++) for (const [name, [bin, ...extra]] of Object.entries(runs)) {
  rmSync(state, { recursive: true, force: true });
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', process.execPath, bin, 'replay', dir, '--dry-run', '--state', state, '--json', '--quiet', ...extra], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr);
  const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr); (times[name] ??= []).push((performance.now() - t) / 1000); (cpus[name] ??= []).push(Number(cpu[1]) + Number(cpu[2]));
}
for (const [name, list] of Object.entries(times)) console.log(name.padEnd(8), list.map((s) => s.toFixed(2)).join(' '), ' min', Math.min(...list).toFixed(2), ' median', [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)].toFixed(2));
if (times.base) console.log('wall none/base (min)', (Math.min(...times.none) / Math.min(...times.base)).toFixed(2));
console.log('wall mapping/none (min)', (Math.min(...times.mapping) / Math.min(...times.none)).toFixed(2));
for (const [name, list] of Object.entries(cpus)) console.log('cpu', name.padEnd(8), list.map((s) => s.toFixed(2)).join(' '), ' min', Math.min(...list).toFixed(2), ' median', [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)].toFixed(2));
const med = (l) => [...l].sort((a, b) => a - b)[Math.floor(l.length / 2)];
if (cpus.base) console.log('cpu none/base (median)', (med(cpus.none) / med(cpus.base)).toFixed(2));
console.log('cpu mapping/none (median)', (med(cpus.mapping) / med(cpus.none)).toFixed(2));
