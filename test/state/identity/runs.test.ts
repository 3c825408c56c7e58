import { appendFileSync, copyFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdentityIndex } from '../../../src/state/identity/index.js';
import { decodeLink, keyOf, LINK, mergeLinks, type LinkEntry } from '../../../src/state/identity/record.js';
import { FAN_IN } from '../../../src/state/identity/sorted-run-merge.js';
import { RunReader } from '../../../src/state/identity/sorted-run.js';
import { StateError } from '../../../src/errors.js';
import { seeded } from '../../support/random.js';
import { tempDirs } from '../../support/temp.js';

const tempDir = tempDirs('identity-runs-');

type Op = ['link', string, string, string] | ['identified', string, number, number];

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

function apply(index: IdentityIndex, ops: readonly Op[]): void {
  for (const op of ops) {
    if (op[0] === 'link') index.link(op[1], op[2], op[3]);
    else index.identified(op[1], op[2], op[3]);
  }
}

/** Every answer the index gives for the archive's ids (and some it never saw). */
function answers(index: IdentityIndex, ops: readonly Op[]): unknown[] {
  const ids = [...new Set(ops.map((op) => op[1])), 'never-seen', 'anon-1'];
  return ids.map((id) => [id, index.lookup(id) ?? null, index.identifiedTraits(id) ?? null]);
}

/** The answers of the whole archive built with everything in memory (one run). */
function inOneRun(ops: readonly Op[]): unknown[] {
  const index = IdentityIndex.open(tempDir(), { batch: 1e9 });
  apply(index, ops);
  const whole = answers(index, ops);
  index.close();
  return whole;
}

/** The sealed index's stored entry of an anonymousId (its conflict source is not in lookup's answer). */
function storedLink(dir: string, anonymousId: string): LinkEntry | undefined {
  const runs = readdirSync(join(dir, 'identity')).filter((name) => name.endsWith('.idx'));
  expect(runs).toHaveLength(1);
  const reader = new RunReader(join(dir, 'identity', runs[0]!));
  const found = reader.find(keyOf(LINK, anonymousId));
  const entry = found && decodeLink(found[0], found[1]);
  reader.close();
  return entry;
}

describe('IdentityIndex on sorted runs', () => {
  it('gives the same answers from runs spilled every few entries as from one run, before and after seal and reopen', () => {
    const ops = archive(600);
    const whole = inOneRun(ops);
    const dir = tempDir();
    const index = IdentityIndex.open(dir, { batch: 7 });
    apply(index, ops);
    expect(readdirSync(join(dir, 'identity')).filter((name) => name.endsWith('.idx')).length).toBeGreaterThan(50);
    expect(answers(index, ops)).toEqual(whole);
    index.seal();
    expect(readdirSync(join(dir, 'identity')).filter((name) => name.endsWith('.idx'))).toHaveLength(1);
    expect(answers(index, ops)).toEqual(whole);
    index.close();
    const reader = IdentityIndex.open(dir, { readonly: true });
    expect(answers(reader, ops)).toEqual(whole);
    reader.close();
  });

  it('merges more runs than the fan-in, in levels, to the same answers', () => {
    const ops = archive(FAN_IN + 60).filter((op) => op[0] === 'link');
    const whole = inOneRun(ops);
    const dir = tempDir();
    const index = IdentityIndex.open(dir, { batch: 1 });
    apply(index, ops);
    expect(readdirSync(join(dir, 'identity')).filter((name) => name.endsWith('.idx')).length).toBeGreaterThan(FAN_IN);
    index.seal();
    index.close();
    const reader = IdentityIndex.open(dir, { readonly: true });
    expect(answers(reader, ops)).toEqual(whole);
    reader.close();
  }, 60_000);

  it('after a crash past the mark (journal and runs holding links after it, a torn journal tail), a resume from the mark gives the same index', () => {
    const ops = archive(400);
    const whole = inOneRun(ops);
    const dir = tempDir();
    const crashed = IdentityIndex.open(dir, { batch: 50 });
    apply(crashed, ops.slice(0, 300));
    const mark = crashed.mark();
    crashed.commit(mark);
    apply(crashed, ops.slice(300, 410));
    crashed.commit(crashed.mark());
    const manifest = () => JSON.parse(readFileSync(join(dir, 'identity', 'manifest.json'), 'utf8')) as { journal: string; journalBytes: number; runs: string[] };
    expect(manifest().journalBytes).toBeGreaterThan(0);
    apply(crashed, ops.slice(410, 440));
    // Killed here: never closed; what was appended after the last commit is torn.
    expect(manifest().runs.length).toBeGreaterThan(6);
    appendFileSync(join(dir, 'identity', manifest().journal), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const resumed = IdentityIndex.open(dir, { batch: 50, mark });
    apply(resumed, ops.slice(300));
    expect(answers(resumed, ops)).toEqual(whole);
    resumed.seal();
    resumed.close();
    const reader = IdentityIndex.open(dir, { readonly: true });
    expect(answers(reader, ops)).toEqual(whole);
    reader.close();
  });

  it('resumes a merge that was killed (the runs still named, an unfinished output) and gives the same index', () => {
    const ops = archive(500);
    const whole = inOneRun(ops);
    const dir = tempDir();
    const index = IdentityIndex.open(dir, { batch: 40 });
    apply(index, ops);
    const mark = index.mark();
    index.close();
    const files = join(dir, 'identity');
    const manifest = JSON.parse(readFileSync(join(files, 'manifest.json'), 'utf8')) as { runs: string[]; nextRun: number };
    expect(manifest.runs.length).toBeGreaterThan(5);
    // The merge's output, cut off where the kill stopped it (not yet named in the manifest).
    const partial = join(files, `run-${manifest.nextRun}.idx`);
    copyFileSync(join(files, manifest.runs[0]!), partial);
    truncateSync(partial, 4096 + 100);
    const resumed = IdentityIndex.open(dir, { mark });
    resumed.seal();
    expect(answers(resumed, ops)).toEqual(whole);
    resumed.close();
    expect(readdirSync(files).filter((name) => name.endsWith('.idx'))).toHaveLength(1);
  });

  it('stops a merge when told between two slices, keeps the groups merged so far, and a later seal finishes it', async () => {
    const ops = archive(700);
    const whole = inOneRun(ops);
    const dir = tempDir();
    const index = IdentityIndex.open(dir, { batch: 2 });
    apply(index, ops);
    const files = join(dir, 'identity');
    const runs = () => (JSON.parse(readFileSync(join(files, 'manifest.json'), 'utf8')) as { runs: string[]; sealed: boolean });
    index.commit(index.mark());
    const before = runs().runs.length;
    expect(before).toBeGreaterThan(FAN_IN + 1);
    // Stopped after the first group of FAN_IN runs became one (the entries still in memory became one more run first).
    let asked = 0;
    expect(await index.sealUnlessStopped(() => asked++ > 0)).toBe(false);
    expect(runs().sealed).toBe(false);
    expect(runs().runs.length).toBe(before + 1 - FAN_IN + 1);
    expect(readdirSync(files).filter((name) => name.endsWith('.idx'))).toHaveLength(before + 1 - FAN_IN + 1);
    expect(answers(index, ops)).toEqual(whole);
    const mark = index.mark();
    index.close();
    const resumed = IdentityIndex.open(dir, { mark });
    expect(await resumed.sealUnlessStopped(() => false)).toBe(true);
    expect(runs().sealed).toBe(true);
    expect(answers(resumed, ops)).toEqual(whole);
    resumed.close();
  });

  it('stores keys and userIds longer than a block, next to short ones, across runs', () => {
    const dir = tempDir();
    const index = IdentityIndex.open(dir, { batch: 3 });
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
    apply(index, ops);
    index.seal();
    expect(index.lookup(long('a', 10_000))).toBe('ambiguous');
    expect(index.lookup('short')).toEqual({ userId: long('é', 9_000), source: 'f:2' });
    expect(index.lookup(long('b', 5_000))).toEqual({ userId: long('u', 4_090), source: 'f:3' });
    expect(index.lookup(long('c', 4_080))).toEqual({ userId: 'u3', source: 'f:6' });
    expect(index.lookup('x')).toEqual({ userId: 'y', source: 'f:4' });
    expect(index.lookup(long('a', 9_999))).toBeUndefined();
    expect(index.identifiedTraits(long('u', 4_090))).toEqual({ first: 3, latest: 4 });
    index.close();
  });

  it('keeps the first conflicting link of an anonymousId made ambiguous across runs', () => {
    const dir = tempDir();
    const index = IdentityIndex.open(dir, { batch: 1 });
    index.link('shared', 'u1', 'a.ndjson:1');
    index.link('filler-1', 'u9', 'a.ndjson:2');
    index.link('shared', 'u1', 'a.ndjson:3');
    index.link('shared', 'u2', 'c.ndjson:4');
    index.link('shared', 'u3', 'd.ndjson:5');
    index.seal();
    expect(index.lookup('shared')).toBe('ambiguous');
    index.close();
    // The first link (a.ndjson:1) and the first conflicting one (c.ndjson:4, file number 1).
    expect(storedLink(dir, 'shared')).toEqual(['u1', 0, 1, 1, 4]);
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
      // A span re-inserted after a crash changes nothing.
      expect(mergeLinks(fold(links), fold(links.slice(cut)))).toEqual(fold(links));
    }
  });

  it('writes a run instead of a journal past its limit, when the same entries change at every commit', () => {
    const dir = tempDir();
    const index = IdentityIndex.open(dir, { journalBytes: 4000 });
    const manifest = () => JSON.parse(readFileSync(join(dir, 'identity', 'manifest.json'), 'utf8')) as { journalBytes: number; runs: string[] };
    for (let commit = 0; commit < 40; commit++) {
      for (let u = 0; u < 20; u++) index.identified(`user-${u}`, 1000 - commit, commit);
      index.commit(index.mark());
      expect(manifest().journalBytes).toBeLessThanOrEqual(4000 + 20 * 40);
    }
    expect(manifest().runs.length).toBeGreaterThan(1);
    index.seal();
    expect(index.identifiedTraits('user-3')).toEqual({ first: 961, latest: 39 });
    index.close();
  });

  it('refuses an index file that was never finished', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'torn.idx'), Buffer.alloc(5000));
    expect(() => new RunReader(join(dir, 'torn.idx'))).toThrow(/not a finished/);
  });

  it('gives the answers of a plain Map of the same links and identifies, spilled, committed, sealed and reopened', () => {
    const random = seeded(23);
    const pick = (n: number) => Math.floor(random() * n);
    const ops: Op[] = [];
    for (let i = 0; i < 6000; i++) {
      const anon = pick(600);
      // Mostly an anonymousId's own user, now and then another one (a shared device).
      if (random() < 0.75) ops.push(['link', `anon-${anon}`, `user-${random() < 0.97 ? anon % 40 : pick(400)}`, `logs/${pick(5)}.ndjson:${i + 1}`]);
      else ops.push(['identified', `user-${pick(400)}`, pick(100_000), pick(1000) - 500]);
    }
    // The oracle: the first link of an anonymousId wins, a second userId makes it ambiguous for good;
    // a user's identifies give the first position and the latest time.
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
    const ids = [...new Set(ops.map((op) => op[1])), 'anon-never', 'user-never'];
    const expected = ids.map((id) => [id, links.get(id) ?? null, users.get(id) ?? null]);
    // Four processes, each resuming from the last one's mark with a fresh cache of recent pairs, so
    // that links repeated across them reach the merge of stored entries.
    const dir = tempDir();
    let mark: ReturnType<IdentityIndex['mark']> | undefined;
    let index!: IdentityIndex;
    for (let at = 0; at < ops.length; at += 250) {
      if (at % 1500 === 0) {
        index?.close();
        index = IdentityIndex.open(dir, { batch: 37, mark });
      }
      apply(index, ops.slice(at, at + 250));
      mark = index.mark();
      index.commit(mark);
    }
    expect(answers(index, ops).slice(0, -2)).toEqual(expected.slice(0, -2));
    index.seal();
    index.close();
    const reader = IdentityIndex.open(dir, { readonly: true });
    expect(ids.map((id) => [id, reader.lookup(id) ?? null, reader.identifiedTraits(id) ?? null])).toEqual(expected);
    reader.close();
  });

  it('names a damaged index file or manifest, and says --restart rebuilds it', () => {
    const sealed = () => {
      const dir = tempDir();
      const index = IdentityIndex.open(dir, { batch: 1e9 });
      apply(index, archive(300));
      index.seal();
      index.close();
      return dir;
    };
    const cut = sealed();
    const run = readdirSync(join(cut, 'identity')).find((name) => name.endsWith('.idx'))!;
    const file = join(cut, 'identity', run);
    truncateSync(file, statSync(file).size - 10);
    // Run files are opened at the first lookup.
    const opened = () => {
      const reader = IdentityIndex.open(cut, { readonly: true });
      try {
        reader.lookup('anon-1-1');
      } finally {
        reader.close();
      }
    };
    expect(opened).toThrow(StateError);
    expect(opened).toThrow(new RegExp(`${run}.*--restart`));
    const garbled = sealed();
    writeFileSync(join(garbled, 'identity', 'manifest.json'), '{"version":1,"runs":[');
    expect(() => IdentityIndex.open(garbled, { readonly: true })).toThrow(/manifest\.json is damaged.*--restart/);
  });
});
