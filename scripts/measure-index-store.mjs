// Measures candidate stores for the --stitch identity index (issue 16): inserts N anonymousId -> userId
// links in batched transactions, reopens, then 1M random lookups (half hits) from the main thread and
// from 2 worker threads. Usage: node scripts/measure-index-store.mjs <lmdb|sqlite> <N> [dir]
// One store and one N per process, so that peak RSS is the store's own. A store whose package is not
// installed (better-sqlite3 is not a dependency) is reported as such.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { mkdtempSync, readFileSync, rmSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BATCH = 10_000;
const LOOKUPS = 1_000_000;

/** 32-bit mix of (i, seed): deterministic IDs, so lookups need no list of what was inserted. */
function mix(i, seed) {
  let h = Math.imul(i ^ seed, 0x9e3779b1);
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h >>> 0;
}
const hex = (n, w) => n.toString(16).padStart(8, '0').slice(0, w);
/** A UUID-shaped anonymousId for index i. */
function anon(i) {
  const a = hex(mix(i, 1), 8), b = hex(mix(i, 2), 8), c = hex(mix(i, 3), 8), d = hex(mix(i, 4), 8);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-a${c.slice(1, 4)}-${c.slice(4)}${d}`;
}
/** A ~20-character userId; i's second user (the ambiguous 0.5%) uses another seed. */
const user = (i, other = false) => `user_${hex(mix(i, other ? 7 : 5), 8)}${hex(mix(i, 6), 7)}`;
const source = (i) => [i % 500, 1 + (mix(i, 9) % 2_000_000)];

const stores = {
  async lmdb(dir) {
    const { open } = await import('lmdb');
    const db = open({ path: join(dir, 'index.mdb'), maxReaders: 16, mapSize: 2 ** 40 });
    return {
      write(batch) {
        db.transactionSync(() => {
          for (const [k, v] of batch) {
            const old = db.get(k);
            if (old === undefined) db.putSync(k, v);
            else if (old[0] !== null && old[0] !== v[0]) db.putSync(k, [null, v[1], v[2]]);
          }
        });
      },
      get: (k) => db.get(k),
      close: () => db.close(),
    };
  },
  async sqlite(dir) {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(dir, 'index.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -16000');
    db.exec('CREATE TABLE IF NOT EXISTS links (anon TEXT PRIMARY KEY, user TEXT, file INT, line INT) WITHOUT ROWID');
    const put = db.prepare(`INSERT INTO links VALUES (?, ?, ?, ?) ON CONFLICT(anon) DO UPDATE SET
      user = CASE WHEN links.user = excluded.user THEN links.user ELSE NULL END`);
    const sel = db.prepare('SELECT user, file, line FROM links WHERE anon = ?').raw();
    const tx = db.transaction((batch) => { for (const [k, v] of batch) put.run(k, v[0], v[1], v[2]); });
    return { write: (batch) => tx(batch), get: (k) => sel.get(k), close: () => db.close() };
  },
};

function* links(n) {
  for (let i = 0; i < n; i++) {
    const [file, line] = source(i);
    yield [anon(i), [user(i), file, line]];
    const r = mix(i, 11) % 1000;
    // Repeats come later in the archive: a link 5% of anonymousIds carry again (same user), 0.5% to another.
    if (r < 50) yield [anon(i), [user(i), file, line + 1]];
    else if (r < 55) yield [anon(i), [user(i, true), file, line + 1]];
  }
}

function lookups(get, n, seed, total) {
  let hits = 0;
  const t = performance.now();
  for (let j = 0; j < total; j++) {
    const r = mix(j, seed);
    const i = r % n;
    if (get(anon(r & 1 ? i : n + i)) !== undefined) hits++;
  }
  return { perS: total / ((performance.now() - t) / 1000), hits };
}

function du(dir) {
  let bytes = 0;
  for (const f of readdirSync(dir)) bytes += statSync(join(dir, f)).size;
  return bytes;
}

const mb = (kib) => (kib / 1024).toFixed(0);

/** RSS split at the end: the process's own memory, and pages of memory-mapped files (LMDB's reads). */
function memory() {
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? NaN);
  return { endRssMB: mb(kib('Rss')), endAnonymousMB: mb(kib('Anonymous')), endFileMappedMB: mb(kib('Rss') - kib('Anonymous')) };
}

async function main() {
  const [name = 'lmdb', nText = '1000000', given] = process.argv.slice(2);
  const n = Number(nText);
  const dir = given ?? mkdtempSync(join(tmpdir(), 'index-store-'));
  let store;
  try { store = await stores[name](dir); } catch (e) { console.log(`${name}: not available (${e.message})`); return; }
  let t = performance.now();
  let count = 0;
  let batch = new Map();
  const flush = () => { store.write(batch); batch = new Map(); };
  for (const [k, v] of links(n)) {
    count++;
    const had = batch.get(k);
    batch.set(k, had !== undefined && had[0] !== v[0] ? [null, v[1], v[2]] : had ?? v);
    if (batch.size >= BATCH) flush();
  }
  flush();
  const insertS = (performance.now() - t) / 1000;
  const rssInsert = process.resourceUsage().maxRSS;
  store.close();
  t = performance.now();
  store = await stores[name](dir);
  const reopenMs = performance.now() - t;
  const main1 = lookups(store.get, n, 21, LOOKUPS);
  const rssMain = process.resourceUsage().maxRSS;
  t = performance.now();
  const results = await Promise.all([31, 41].map((seed) => new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { name, dir, n, seed, total: LOOKUPS / 2 } });
    w.once('message', resolve); w.once('error', reject);
  })));
  const workersPerS = LOOKUPS / ((performance.now() - t) / 1000);
  const end = memory();
  store.close();
  const row = {
    store: name, n, links: count, insertsPerS: Math.round(count / insertS), insertS: insertS.toFixed(1),
    lookupsPerSMain: Math.round(main1.perS), hitRate: (main1.hits / LOOKUPS).toFixed(3),
    lookupsPerS2Workers: Math.round(workersPerS), workerHits: results.reduce((a, r) => a + r.hits, 0),
    peakRssMBInsert: mb(rssInsert), peakRssMBLookups: mb(rssMain), peakRssMBEnd: mb(process.resourceUsage().maxRSS),
    diskMB: (du(dir) / 2 ** 20).toFixed(0), reopenMs: reopenMs.toFixed(1), ...end,
  };
  console.log(JSON.stringify(row));
  if (given === undefined) rmSync(dir, { recursive: true, force: true });
}

if (isMainThread) await main();
else {
  const { name, dir, n, seed, total } = workerData;
  const store = await stores[name](dir);
  const r = lookups(store.get, n, seed, total);
  store.close();
  parentPort.postMessage(r);
}
