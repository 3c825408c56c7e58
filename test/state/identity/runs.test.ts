import { copyFileSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdentityIndex, type IdentityMark } from '../../../src/state/identity/index.js';
import { keyOf, LINK, mergeLinks, readEntry, type LinkEntry } from '../../../src/state/identity/record.js';
import { FAN_IN, MERGE_SLICE } from '../../../src/state/identity/sorted-run-merge.js';
import { COUNT_BYTES, SortedRun } from '../../../src/state/identity/sorted-run.js';
import { StateError } from '../../../src/errors.js';
import { seeded } from '../../support/random.js';
import { tempDirs } from '../../support/temp.js';

const tempDir = tempDirs('identity-runs-');

type Op = ['link', string, string, string] | ['identified', string, number, number];
type Answer = [id: string, link: { userId: string; source: string } | 'ambiguous' | null, traits: { first: number; latest: number } | null];

/** A small archive's index input: links (some ambiguous, some repeated) and identifies, interleaved. */
function archive(count: number): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < count; i++) {
    ops.push(['link', `anon-${i % 97}-${i}`, `user-${i % 13}`, `logs/a.ndjson:${i + 1}`]);
    if (i % 3 === 0) ops.push(['link', `anon-${(i * 7) % 97}-${i - (i % 5)}`, `user-${i % 11}`, `logs/b.ndjson:${i}`]);
    if (i % 4 === 0) ops.push(['identified', `user-${i % 13}`, i * 10, (i * 7919) % 1000]);
    if (i % 9 === 0) ops.push(['link', `anon-${i % 97}-${i}`, `other-${i % 2}`, `logs/c.ndjson:${i}`]);
  }
  return ops;
}

/** Applies `ops`, committing a run every `every` of them (the index pass's checkpoints). */
function apply(index: IdentityIndex, ops: readonly Op[], every = Infinity): void {
  ops.forEach((op, i) => {
    if (op[0] === 'link') index.link(op[1], op[2], op[3]);
    else index.identified(op[1], op[2], op[3]);
    if ((i + 1) % every === 0) index.commit(index.mark());
  });
}

/** The oracle: a plain Map of what the archive says, as cli.md puts it (the first link wins, a second userId makes it ambiguous for good; a user's first identify and latest time). */
function oracle(ops: readonly Op[]): (id: string) => Answer {
  const links = new Map<string, { userId: string; source: string } | 'ambiguous'>();
  const users = new Map<string, { first: number; latest: number }>();
  for (const op of ops) {
    if (op[0] === 'link') {
      const had = links.get(op[1]);
      if (had === undefined) links.set(op[1], { userId: op[2], source: op[3] });
      else if (had !== 'ambiguous' && had.userId !== op[2]) links.set(op[1], 'ambiguous');
    } else {
      const had = users.get(op[1]);
      users.set(op[1], had === undefined ? { first: op[2], latest: op[3] } : { first: Math.min(had.first, op[2]), latest: Math.max(had.latest, op[3]) });
    }
  }
  return (id) => [id, links.get(id) ?? null, users.get(id) ?? null];
}

/** Every id of the archive, and some it never saw. */
function idsOf(ops: readonly Op[]): string[] {
  return [...new Set(ops.flatMap((op) => (op[0] === 'link' ? [op[1], op[2]] : [op[1]]))), 'never-seen', 'anon-1', 'user-never'];
}

function answers(index: IdentityIndex, ids: readonly string[]): Answer[] {
  return ids.map((id) => [id, index.lookup(id) ?? null, index.identifiedTraits(id) ?? null]);
}

function manifestOf(dir: string): { runs: string[]; sealed: boolean; nextRun: number } {
  return JSON.parse(readFileSync(join(dir, 'identity', 'manifest.json'), 'utf8')) as { runs: string[]; sealed: boolean; nextRun: number };
}

const runFiles = (dir: string) => readdirSync(join(dir, 'identity')).filter((name) => name.endsWith('.idx'));

/** Seals `index` (reopened from `mark` after each stop) with `stopAt(step)` saying when to stop. */
async function sealWithStops(dir: string, index: IdentityIndex, mark: IdentityMark, stopAt: (step: number) => boolean): Promise<[IdentityIndex, number]> {
  let stops = 0;
  for (let step = 0; !(await index.seal(() => stopAt(step++))); stops++) {
    expect(manifestOf(dir).sealed).toBe(false);
    index.close();
    index = IdentityIndex.open(dir, { mark });
  }
  return [index, stops];
}

describe('IdentityIndex on sorted runs', () => {
  it('gives the answers of a plain Map, built by processes that die past their checkpoints, merged in levels with stops', async () => {
    const random = seeded(23);
    const pick = (n: number) => Math.floor(random() * n);
    const ops: Op[] = [];
    for (let i = 0; i < 9000; i++) {
      // As many anonymousIds as links, so that first links (and conflicts) come all along the archive.
      const anon = pick(6000);
      // Mostly an anonymousId's own user, now and then another one (a shared device).
      if (random() < 0.75) ops.push(['link', `anon-${anon}`, `user-${random() < 0.9 ? anon % 400 : pick(400)}`, `logs/${pick(5)}.ndjson:${i + 1}`]);
      else ops.push(['identified', `user-${pick(400)}`, pick(100_000), pick(1000) - 500]);
    }
    // As the index pass drives it: a checkpoint (a run, then its mark kept) every few ops; now and
    // then the process dies after a run its checkpoint never counted, with more in memory, and the
    // next one resumes from the last mark and does those ops again; now and then a clean restart.
    const dir = tempDir();
    let index = IdentityIndex.open(dir);
    let mark: IdentityMark | undefined;
    let [at, deaths] = [0, 0];
    while (at < ops.length) {
      const span = 1 + pick(40);
      apply(index, ops.slice(at, at + span));
      index.commit(index.mark());
      if (random() < 0.1) {
        apply(index, ops.slice(at + span, at + span + pick(30)));
        index.close();
        index = IdentityIndex.open(dir, { mark });
        deaths++;
        continue;
      }
      at += span;
      mark = index.mark();
      if (random() < 0.03) {
        index.close();
        index = IdentityIndex.open(dir, { mark });
      }
    }
    expect(deaths).toBeGreaterThan(20);
    expect(manifestOf(dir).runs.length).toBeGreaterThan(FAN_IN + 20);
    // Stopped after every second step of the merge: each stop abandons what it was doing.
    const [sealed, stops] = await sealWithStops(dir, index, mark!, (step) => step % 2 === 1);
    expect(stops).toBeGreaterThan(1);
    const expected = idsOf(ops).map(oracle(ops));
    // Every kind of answer, many times over.
    const kinds = (kind: (a: Answer) => boolean) => expected.filter(kind).length;
    expect([kinds((a) => a[1] === 'ambiguous'), kinds((a) => typeof a[1] === 'object' && a[1] !== null), kinds((a) => a[2] !== null)].every((n) => n > 100)).toBe(true);
    expect(answers(sealed, idsOf(ops))).toEqual(expected);
    sealed.close();
    expect(runFiles(dir)).toHaveLength(1);
    const reader = IdentityIndex.open(dir, { readonly: true, mark });
    expect(answers(reader, idsOf(ops))).toEqual(expected);
    reader.close();
  }, 60_000);

  it('stops a merge mid-group (past a slice of MERGE_SLICE records), leaves the runs as they were, and a later seal gives the same answers', async () => {
    const ops: Op[] = Array.from({ length: MERGE_SLICE * 1.5 }, (_, i) => ['link', `a${i % (MERGE_SLICE * 1.25)}`, `u${i % 3}`, `f:${i}`]);
    const dir = tempDir();
    const index = IdentityIndex.open(dir);
    apply(index, ops, MERGE_SLICE / 2);
    const mark = index.mark();
    const before = manifestOf(dir);
    expect(before.runs).toHaveLength(3);
    // Asked before the first slice and at the pause after it: stopped inside the one group of three runs.
    let asked = 0;
    expect(await index.seal(() => asked++ > 0)).toBe(false);
    expect(asked).toBe(2);
    index.close();
    expect(manifestOf(dir)).toEqual(before);
    expect(runFiles(dir).sort()).toEqual([...before.runs].sort());
    const resumed = IdentityIndex.open(dir, { mark });
    expect(await resumed.seal()).toBe(true);
    expect(answers(resumed, idsOf(ops))).toEqual(idsOf(ops).map(oracle(ops)));
    resumed.close();
  });

  it('resumes a merge that was killed (the runs still named, an unfinished output) and gives the same index', async () => {
    const ops = archive(500);
    const dir = tempDir();
    const index = IdentityIndex.open(dir);
    apply(index, ops, 40);
    const mark = index.mark();
    index.commit(mark);
    index.close();
    const files = join(dir, 'identity');
    const manifest = manifestOf(dir);
    expect(manifest.runs.length).toBeGreaterThan(5);
    // The merge's output, cut off where the kill stopped it (not yet named in the manifest).
    const partial = join(files, `run-${manifest.nextRun}.idx`);
    copyFileSync(join(files, manifest.runs[0]!), partial);
    truncateSync(partial, 4096 + 100);
    const resumed = IdentityIndex.open(dir, { mark });
    expect(await resumed.seal()).toBe(true);
    expect(answers(resumed, idsOf(ops))).toEqual(idsOf(ops).map(oracle(ops)));
    resumed.close();
    expect(runFiles(dir)).toHaveLength(1);
  });

  it('stores keys and userIds longer than a block, next to short ones, across runs', async () => {
    const long = (c: string, n: number) => c.repeat(n);
    const ops: Op[] = [
      ['link', long('a', 10_000), 'u1', 'f:1'],
      ['link', 'short', long('é', 9_000), 'f:2'],
      ['link', long('b', 5_000), long('u', 4_090), 'f:3'],
      ['link', 'x', 'y', 'f:4'],
      ['link', long('a', 10_000), 'u2', 'f:5'],
      ['identified', long('u', 4_090), 3, 4],
      ['link', long('c', 4_080), 'u3', 'f:6'],
    ];
    const index = IdentityIndex.open(tempDir());
    apply(index, ops, 3);
    await index.seal();
    const ids = [...idsOf(ops), long('a', 9_999)];
    expect(answers(index, ids)).toEqual(ids.map(oracle(ops)));
    expect(index.lookup(long('a', 10_000))).toBe('ambiguous');
    expect(index.identifiedTraits(long('u', 4_090))).toEqual({ first: 3, latest: 4 });
    index.close();
  });

  it('keeps the first conflicting link of an anonymousId made ambiguous across runs', async () => {
    const dir = tempDir();
    const index = IdentityIndex.open(dir);
    apply(index, [
      ['link', 'shared', 'u1', 'a.ndjson:1'],
      ['link', 'filler-1', 'u9', 'a.ndjson:2'],
      ['link', 'shared', 'u1', 'a.ndjson:3'],
      ['link', 'shared', 'u2', 'c.ndjson:4'],
      ['link', 'shared', 'u3', 'd.ndjson:5'],
    ], 1);
    await index.seal();
    expect(index.lookup('shared')).toBe('ambiguous');
    index.close();
    const run = new SortedRun(join(dir, 'identity', runFiles(dir)[0]!));
    // The first link (a.ndjson:1) and the first conflicting one (c.ndjson:4, file number 1).
    expect(readEntry(...run.find(keyOf(LINK, 'shared'))!)).toEqual(['u1', 0, 1, 1, 4]);
    run.close();
  });

  it('merges the entries of any split of a sequence of links to the entry of the whole', () => {
    const users = ['u1', 'u2', 'u3'];
    for (let seed = 1; seed < 200; seed++) {
      let x = seed;
      const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 1000;
      const links: LinkEntry[] = Array.from({ length: 2 + (next() % 8) }, (_, i) => [users[next() % 3]!, i, i, -1, -1]);
      const fold = (span: LinkEntry[]) => span.reduce((had, link) => mergeLinks(had, link));
      const cut = 1 + (next() % (links.length - 1));
      expect(mergeLinks(fold(links.slice(0, cut)), fold(links.slice(cut)))).toEqual(fold(links));
      // A span written again after a crash changes nothing.
      expect(mergeLinks(fold(links), fold(links.slice(cut)))).toEqual(fold(links));
    }
  });

  it('names a damaged or missing file and says --restart rebuilds the index', async () => {
    const sealed = async () => {
      const dir = tempDir();
      const index = IdentityIndex.open(dir);
      apply(index, archive(300), 100);
      await index.seal();
      index.close();
      return dir;
    };
    // Run files are opened at the first lookup.
    const lookedUp = (dir: string) => () => {
      const reader = IdentityIndex.open(dir, { readonly: true });
      try {
        reader.lookup('anon-1-1');
      } finally {
        reader.close();
      }
    };
    const expectDamaged = (dir: string, file: RegExp) => {
      expect(lookedUp(dir)).toThrow(StateError);
      expect(lookedUp(dir)).toThrow(new RegExp(`${file.source}.*--restart`));
    };
    const run = (dir: string) => join(dir, 'identity', runFiles(dir)[0]!);
    const cut = await sealed();
    truncateSync(run(cut), statSync(run(cut)).size - 10);
    expectDamaged(cut, /run-\d+\.idx is not a finished identity index file/);
    const shorter = await sealed();
    writeFileSync(run(shorter), readFileSync(run(shorter)).subarray(4096));
    expectDamaged(shorter, /run-\d+\.idx is \d+ bytes where its footer implies \d+/);
    const gone = await sealed();
    rmSync(run(gone));
    expectDamaged(gone, /run-\d+\.idx is missing/);
    const badRecord = await sealed();
    overwrite(run(badRecord), COUNT_BYTES + 9, Buffer.from([0xff, 0xff, 0xff, 0x7f]));
    expect(() => {
      const reader = IdentityIndex.open(badRecord, { readonly: true });
      for (const op of archive(300)) reader.lookup(op[1]);
    }).toThrow(/run-\d+\.idx has a damaged record.*--restart/);
    const emptyBlock = await sealed();
    overwrite(run(emptyBlock), 0, Buffer.alloc(4));
    expect(() => {
      const reader = IdentityIndex.open(emptyBlock, { readonly: true });
      for (const op of archive(300)) reader.lookup(op[1]);
    }).toThrow(/run-\d+\.idx has an empty block at unit 0.*--restart/);
    const names = await sealed();
    writeFileSync(join(names, 'identity', 'files.ndjson'), '"logs/a.ndjson"\n{"bad\n"logs/c.ndjson"\n');
    expectDamaged(names, /files\.ndjson line 2 is damaged/);
    const garbled = await sealed();
    writeFileSync(join(garbled, 'identity', 'manifest.json'), '{"version":2,"runs":[');
    expectDamaged(garbled, /manifest\.json is damaged/);
    const escaping = await sealed();
    const manifest = manifestOf(escaping);
    writeFileSync(join(escaping, 'identity', 'manifest.json'), JSON.stringify({ ...manifest, runs: ['../../checkpoint.json'] }));
    expectDamaged(escaping, /manifest\.json is damaged/);
    writeFileSync(join(escaping, 'identity', 'manifest.json'), JSON.stringify({ ...manifest, version: 1 }));
    expectDamaged(escaping, /manifest\.json was written by another version of segment-braze/);
  });
});

function overwrite(file: string, position: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, bytes, 0, bytes.length, position);
  closeSync(fd);
}
