// The archive of the `--stitch` bench line (scripts/bench.mjs): the generator's anonymous visitors are
// never identified, so this makes a sibling directory that links every file of the archive and adds
// one last gzipped file in which two in three visitors sign up (an identify carrying both IDs) and one
// in seven of those also signs in as a second user (ambiguous). Cached beside the archive.
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { gzipSync, createGunzip } from 'node:zlib';

function* files(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (name.endsWith('.gz')) yield path;
  }
}

export async function stitchArchive(dir) {
  const out = `${dir}-stitch`;
  const done = join(out, '.complete');
  if (existsSync(done)) return out;
  rmSync(out, { recursive: true, force: true });
  const visitors = new Set();
  for (const file of files(dir)) {
    const target = join(out, relative(dir, file));
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(file, target);
    for await (const text of createInterface({ input: createReadStream(file).pipe(createGunzip()) })) {
      if (!text.includes('"userId"') && text.includes('"anonymousId"')) {
        const m = JSON.parse(text);
        if (m.userId == null && typeof m.anonymousId === 'string') visitors.add(m.anonymousId);
      }
    }
  }
  const lines = [];
  let i = 0;
  for (const anonymousId of visitors) {
    i++;
    if (i % 3 === 2) continue;
    lines.push(JSON.stringify({ type: 'identify', userId: `late-${i}`, anonymousId, traits: { signedUp: true }, timestamp: '2030-01-01T00:00:00.000Z', messageId: `late-${i}` }));
    if (i % 7 === 0) lines.push(JSON.stringify({ type: 'track', userId: `other-${i}`, anonymousId, event: 'Signed In', timestamp: '2030-01-01T00:01:00.000Z', messageId: `other-${i}` }));
  }
  writeFileSync(join(out, 'zz-links.ndjson.gz'), gzipSync(lines.join('\n') + '\n'));
  writeFileSync(done, String(visitors.size));
  return out;
}
