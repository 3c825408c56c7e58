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
 * As a run asks: an object's attributes one after another for one user (`perUser` of its 40), users
 * at random, laid out as the planning worker's words (attribute-pieces.ts); `warm`: the object's
 * buckets read first (AttributeMemory.warm), as changed-attributes.ts does.
 */
function recordSpeed(users, perUser, warm) {
  const memory = new AttributeMemory({ inputBytes: 1 << 30 });
  const objects = [];
  let x = 1;
  const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) >>> 8;
  for (let i = 0; i < Math.floor(6_000_000 / perUser); i++) {
    const u = next() % users;
    const first = next() % 40;
    const value = next() % 4;
    const words = new Uint32Array(2 + perUser * ATTRIBUTE_WORDS);
    words[0] = u;
    words[1] = u ^ 0x5bd1e995;
    for (let a = 0; a < perUser; a++) words.set([(first + a) % 40, 7, value, 9], 2 + a * ATTRIBUTE_WORDS + 2);
    objects.push(words);
  }
  const t = performance.now();
  let same = 0;
  for (const words of objects) {
    if (warm) memory.warm(words, 0, 4, ATTRIBUTE_WORDS);
    for (let w = 2; w < words.length; w += ATTRIBUTE_WORDS) if (memory.unchangedAt(words, 0, w + 2)) same++;
  }
  const s = (performance.now() - t) / 1000;
  const ops = objects.length * perUser;
  console.log(`speed: ${Math.round(ops / s).toLocaleString('en')} lookups/s, objects of ${perUser} attributes of one of ${users / 1e6}M users${warm ? ', warmed' : ''}, ` +
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
recordSpeed(400_000, 7, false); // the bench's attributes objects: ~7 attributes of one user at a time
recordSpeed(400_000, 7, true);
await hitRate(Number(process.argv[2] ?? 200_000));
