#!/usr/bin/env node
// CPU time of each thread of a run (Linux): runs `node <args…>`, reads /proc/<pid>/task/*/stat every
// 50 ms (a thread's last reading stands once it has ended), and prints the run thread's, the planning
// workers' (the threads made last), the rest's (V8's garbage-collection and compiler threads, libuv's
// pool: gunzip, file reads) and the total, with the wall time.
//   node scripts/thread-cpu.mjs bin/segment-braze.js replay /tmp/a --dry-run --quiet --state $(mktemp -d)
// --workers N (default 2) says how many planning workers the run has.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const at = args.indexOf('--workers');
const workers = at >= 0 ? Number(args[at + 1]) : 2;
const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
const seen = new Map();
const poll = () => {
  let tids = [];
  try {
    tids = readdirSync(`/proc/${child.pid}/task`);
  } catch {
    return;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seen.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // The thread ended between the listing and the read: its last reading stands.
    }
  }
};
const timer = setInterval(poll, 50);
const started = Date.now();
child.on('exit', () => {
  clearInterval(timer);
  const byAge = [...seen].sort((a, b) => a[0] - b[0]).map(([, cpu]) => cpu);
  const total = byAge.reduce((a, b) => a + b, 0);
  const planning = byAge.slice(-workers).reduce((a, b) => a + b, 0);
  const run = byAge[byAge.length - workers - 1] ?? 0;
  const fmt = (n) => n.toFixed(2);
  console.log(`wall ${fmt((Date.now() - started) / 1000)} s, CPU total ${fmt(total)} s: run thread ${fmt(run)}, planning workers ${fmt(planning)}, other threads ${fmt(total - run - planning)}`);
});
