// Measures state/attribute-memory (issue 15): lookups/s on the main thread, bytes per value, and the
// share of identify traits `--attributes changed` leaves out on a generated archive (the bench's mix).
// Usage: npm run build && node scripts/measure-attribute-memory.mjs [messages=200000]
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttributeMemory } from '../dist/state/attribute-memory.js';
import { hashId } from '../dist/hash.js';
import { ATTRIBUTE_WORDS, attributePieces } from '../dist/transform/attributes/attribute-pieces.js';
import { generateArchive } from './generate-archive.mjs';

function speed(users) {
  const memory = new AttributeMemory();
  const ops = 10_000_000;
  const words = new Uint32Array(ops * 4);
  let x = 1;
  // The high bits of an LCG: its low bits repeat with short periods.
  const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) >>> 8;
  for (let i = 0; i < ops * 4; i += 4) {
    const u = next() % users;
    words.set([u, u ^ 0x5bd1e995, next() % 20, next() % 4], i);
  }
  const t = performance.now();
  let same = 0;
  for (let i = 0; i < words.length; i += 4) {
    if (memory.unchanged(words[i], words[i + 1], words[i + 2], 7, words[i + 3], 9)) same++;
  }
  const s = (performance.now() - t) / 1000;
  console.log(`speed: ${Math.round(ops / s).toLocaleString('en')} lookups/s over ${users / 1e6}M users x 20 attributes, ` +
    `${memory.capacity.toLocaleString('en')} values in 64 MiB (16 bytes a value), ${(same / ops * 100).toFixed(1)}% unchanged`);
}

/**
 * As a run asks: a record's attributes one after another for one user (`perUser` of its 20), users
 * at random, so that a table laid out by user can keep a record's lookups close together.
 */
function recordSpeed(users, perUser) {
  const memory = new AttributeMemory();
  const records = Math.floor(10_000_000 / perUser);
  const words = new Uint32Array(records * 3);
  let x = 1;
  const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) >>> 8;
  for (let i = 0; i < words.length; i += 3) {
    const u = next() % users;
    words.set([u, next() % 20, next() % 4], i);
  }
  const t = performance.now();
  let same = 0;
  for (let i = 0; i < words.length; i += 3) {
    const u = words[i];
    for (let a = 0; a < perUser; a++) {
      if (memory.unchanged(u, u ^ 0x5bd1e995, (words[i + 1] + a) % 20, 7, words[i + 2], 9)) same++;
    }
  }
  const s = (performance.now() - t) / 1000;
  const ops = records * perUser;
  console.log(`speed: ${Math.round(ops / s).toLocaleString('en')} lookups/s, ${perUser} attributes a record of one of ${users / 1e6}M users, ` +
    `${(same / ops * 100).toFixed(1)}% unchanged`);
}

async function hitRate(messages) {
  const dir = mkdtempSync(join(tmpdir(), 'attr-mem-'));
  await generateArchive({ dir, messages, files: 2, seed: 1, format: 'ndjson', gzip: false, layout: 'flat' });
  for (const bytes of [64 * 2 ** 20, 2 ** 16, 0]) {
    // bytes 0: an exact Map of every (user, attribute), the most a memory could leave out.
    const memory = bytes > 0 ? new AttributeMemory({ bytes }) : exact();
    let values = 0;
    let unchanged = 0;
    for (const file of readdirSync(dir).sort()) {
      for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
        if (line === '') continue;
        const msg = JSON.parse(line);
        if (msg.type !== 'identify' || typeof msg.userId !== 'string' || typeof msg.traits !== 'object') continue;
        const [uh, ul] = hashId(msg.userId);
        // The worker's own hashes: per attribute, its piece (start, end), key hash, value hash, points.
        const { words } = attributePieces(msg.traits);
        for (let i = 2; i < words.length; i += ATTRIBUTE_WORDS, values++) {
          if (memory.unchanged(uh, ul, words[i + 2], words[i + 3], words[i + 4], words[i + 5])) unchanged++;
        }
      }
    }
    console.log(`archive of ${messages.toLocaleString('en')} messages, ${bytes > 0 ? `${bytes} bytes` : 'exact Map'}: ${values.toLocaleString('en')} trait values, ` +
      `${(unchanged / values * 100).toFixed(1)}% unchanged (left out)`);
  }
  rmSync(dir, { recursive: true, force: true });
}

function exact() {
  const last = new Map();
  return {
    unchanged(uh, ul, kh, kl, vh, vl) {
      const key = `${uh}.${ul}.${kh}.${kl}`;
      const value = `${vh}.${vl}`;
      const same = last.get(key) === value;
      last.set(key, value);
      return same;
    },
  };
}

speed(4_000_000); // past the table: most lookups miss the CPU caches and the table
speed(1_000); // in the CPU caches: the cost of the code itself
recordSpeed(200_000, 7); // the bench's identify records: ~7 traits of one user at a time
await hitRate(Number(process.argv[2] ?? 200_000));
