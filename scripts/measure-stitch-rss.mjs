// Peak RSS of the --stitch identity index as the run uses it (issue 16), one phase per process:
//   node scripts/measure-stitch-rss.mjs build <dir> <links>     the index pass: IdentityIndex.link, a commit (a sorted
//                                                               run) when full and every 100k links, then seal() (the merge)
//   node scripts/measure-stitch-rss.mjs lookup <dir> <links> <n> the replay pass: 2 worker threads, n lookups (half hits), read-only
// Prints peak RSS (maxRSS, as the OS reports it), the rates, the index's size on disk and, at the end,
// RSS split into the process's own memory (Anonymous) and pages of memory-mapped files, from
// /proc/self/smaps_rollup. BATCH=n sets the entries kept in memory before a run is written.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const { IdentityIndex } = await import('../dist/state/identity/index.js');
// Flat strings, as the run hands them over (structured-cloned from the planning workers): a template
// literal's result is a tree of pieces that a Map key keeps alive (~190 bytes for these 45 characters).
const flat = (text) => Buffer.from(text, 'latin1').toString('latin1');
const anonText = (i) => `${(Math.imul(i, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}-${i.toString(36).padStart(8, '0')}-4a1b-9c2d-${(i * 7919).toString(16).padStart(12, '0')}`;
const anon = (i) => flat(anonText(i));
const mb = (kib) => Math.round(kib / 1024);

function split() {
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? NaN);
  return { endRssMB: mb(kib('Rss')), anonymousMB: mb(kib('Anonymous')), fileMappedMB: mb(kib('Rss') - kib('Anonymous')) };
}

if (isMainThread) {
  const [phase, dir, linksText, nText] = process.argv.slice(2);
  const links = Number(linksText);
  const t = performance.now();
  if (phase === 'build') {
    const index = IdentityIndex.open(dir, process.env.BATCH ? { batch: Number(process.env.BATCH) } : {});
    const most = { anonymousMB: 0, fileMappedMB: 0 };
    for (let i = 0; i < links; i++) {
      index.link(anon(i), flat(`user_${i % 1_000_003}`), `segment-logs/src/${i % 500}.gz:${i}`);
      if (index.full || i % 100_000 === 99_999) index.commit(index.mark());
      if (i % 25_000 === 0) {
        const now = split();
        most.anonymousMB = Math.max(most.anonymousMB, now.anonymousMB);
        most.fileMappedMB = Math.max(most.fileMappedMB, now.fileMappedMB);
      }
    }
    const linked = performance.now();
    await index.seal();
    index.close();
    const seconds = (performance.now() - t) / 1000;
    const files = readdirSync(join(dir, 'identity'));
    const diskMB = Math.round(files.reduce((sum, f) => sum + statSync(join(dir, 'identity', f)).size, 0) / 2 ** 20);
    console.log(JSON.stringify({ sampledMost: most, linkSeconds: ((linked - t) / 1000).toFixed(1), sealSeconds: ((performance.now() - linked) / 1000).toFixed(1), linksPerSecond: Math.round(links / seconds), diskMB }));
  } else {
    const n = Number(nText);
    await Promise.all([1, 2].map((seed) => new Promise((resolve, reject) => {
      const w = new Worker(new URL(import.meta.url), { workerData: { dir, links, n: n / 2, seed } });
      w.once('message', resolve);
      w.once('error', reject);
    })));
    console.log(JSON.stringify({ lookupsPerSecond: Math.round(n / ((performance.now() - t) / 1000)), perThread: Math.round(n / 2 / ((performance.now() - t) / 1000)) }));
  }
  console.log(JSON.stringify({ phase, links, seconds: ((performance.now() - t) / 1000).toFixed(1), peakRssMB: mb(process.resourceUsage().maxRSS), ...split() }));
} else {
  const { dir, links, n, seed } = workerData;
  const index = IdentityIndex.open(dir, { readonly: true });
  let x = seed * 1_000_003;
  let hits = 0;
  for (let j = 0; j < n; j++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const i = x % links;
    if (index.lookup(j & 1 ? anon(i) : `miss-${i}`) !== undefined) hits++;
  }
  index.close();
  parentPort.postMessage(hits);
}
