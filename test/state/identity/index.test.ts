import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { IdentityIndex } from '../../../src/state/identity/index.js';
import { StateError } from '../../../src/errors.js';
import { tempDirs } from '../../support/temp.js';

const tempDir = tempDirs('identity-index-');
/** Worker threads and child processes run the built module (`npm test` builds first). */
const built = new URL('../../../dist/state/identity/index.js', import.meta.url);

/** The links of a small archive: anonymous i links to user i; every 7th also to another user. */
function archiveLinks(count: number): [string, string, string][] {
  const links: [string, string, string][] = [];
  for (let i = 0; i < count; i++) {
    links.push([`anon-${i}`, `user-${i}`, `logs/a.ndjson:${i + 1}`]);
    if (i % 7 === 0) links.push([`anon-${i}`, `other-${i}`, `logs/b.ndjson:${i + 1}`]);
    if (i % 5 === 0) links.push([`anon-${i}`, `user-${i}`, `logs/c.ndjson:${i + 1}`]);
  }
  return links;
}

/** An index of `links`, committed every `every` links, sealed. */
async function sealedIndex(dir: string, links: [string, string, string][], every = Infinity): Promise<IdentityIndex> {
  const index = IdentityIndex.open(dir);
  links.forEach(([anon, user, source], i) => {
    index.link(anon, user, source);
    if ((i + 1) % every === 0) index.commit(index.mark());
  });
  expect(await index.seal()).toBe(true);
  return index;
}

describe('IdentityIndex', () => {
  beforeAll(() => {
    if (!existsSync(built)) throw new Error('Run `npm run build` first: worker tests load dist/');
  });

  it('stitches an anonymousId linked once to its user, with the link source', async () => {
    const index = await sealedIndex(tempDir(), [['a1', 'u1', 'logs/day1.ndjson:12']]);
    expect(index.lookup('a1')).toEqual({ userId: 'u1', source: 'logs/day1.ndjson:12' });
    expect(index.lookup('a2')).toBeUndefined();
    expect(index.identifiedTraits('u1')).toBeUndefined();
    index.close();
  });

  it('keeps the first source when the same link comes again, in memory and across runs', async () => {
    const links: [string, string, string][] = [['a1', 'u1', 'f.ndjson:1'], ['a1', 'u1', 'f.ndjson:2'], ['x', 'y', 'g.ndjson:1'], ['a1', 'u1', 'f.ndjson:9']];
    const index = await sealedIndex(tempDir(), links, 2);
    expect(index.lookup('a1')).toEqual({ userId: 'u1', source: 'f.ndjson:1' });
    index.close();
  });

  it('marks an anonymousId linked to two users ambiguous for good, in one run or across runs', async () => {
    const dir = tempDir();
    const index = IdentityIndex.open(dir);
    index.link('shared', 'u1', 'f:1');
    index.link('shared', 'u2', 'f:2');
    index.link('later', 'u1', 'f:3');
    index.commit(index.mark());
    index.link('later', 'u3', 'f:4');
    index.link('shared', 'u1', 'f:5');
    await index.seal();
    index.close();
    const again = IdentityIndex.open(dir, { readonly: true });
    expect(again.lookup('shared')).toBe('ambiguous');
    expect(again.lookup('later')).toBe('ambiguous');
    again.close();
  });

  it('takes an alias (previousId -> userId) like any link, and a source without a line as it is', async () => {
    const index = await sealedIndex(tempDir(), [['prev-42', 'user-42', 'alias in segment-logs/x.json'], ['p', 'u', 'a:b:']]);
    expect(index.lookup('prev-42')).toEqual({ userId: 'user-42', source: 'alias in segment-logs/x.json' });
    expect(index.lookup('p')).toEqual({ userId: 'u', source: 'a:b:' });
    index.close();
  });

  it('finds an anonymousId longer than a block, and not its prefix', async () => {
    const long = 'a'.repeat(5000);
    const index = await sealedIndex(tempDir(), [[long, 'u', 'f:1']]);
    expect(index.lookup(long)).toEqual({ userId: 'u', source: 'f:1' });
    expect(index.lookup('a'.repeat(4999))).toBeUndefined();
    index.close();
  });

  it('finds every link after close and a read-only reopen with its mark, with the files interned', async () => {
    const dir = tempDir();
    const index = await sealedIndex(dir, archiveLinks(1000), 100);
    const mark = index.mark();
    index.close();
    const again = IdentityIndex.open(dir, { readonly: true, mark });
    expect(again.lookup('anon-3')).toEqual({ userId: 'user-3', source: 'logs/a.ndjson:4' });
    expect(again.lookup('anon-7')).toBe('ambiguous');
    expect(again.lookup('anon-1000')).toBeUndefined();
    again.close();
  });

  it('says it is full at `batch` entries in memory, and not after a commit', () => {
    const index = IdentityIndex.open(tempDir(), { batch: 3 });
    index.link('a', 'u', 'f:1');
    index.link('a', 'u', 'f:2');
    index.identified('u', 1, 2);
    expect(index.full).toBe(false);
    index.link('b', 'u', 'f:3');
    expect(index.full).toBe(true);
    index.commit(index.mark());
    expect(index.full).toBe(false);
    index.close();
  });

  it('is looked up only once sealed', () => {
    const index = IdentityIndex.open(tempDir());
    index.link('a', 'u', 'f:1');
    index.commit(index.mark());
    expect(() => index.lookup('a')).toThrow(/once sealed/);
    index.close();
  });

  it('refuses a mark past what its runs hold', () => {
    const dir = tempDir();
    const index = IdentityIndex.open(dir);
    index.link('a', 'u', 'f:1');
    index.commit(index.mark());
    // Not committed: not on disk, and no checkpoint may count it.
    index.link('b', 'u', 'f:2');
    index.close();
    expect(() => IdentityIndex.open(dir, { mark: { links: 2 } })).toThrow(StateError);
    expect(() => IdentityIndex.open(dir, { mark: { links: 2 } })).toThrow(/holds 1 links, fewer than the checkpoint's 2.*--restart/);
    IdentityIndex.open(dir, { mark: { links: 1 } }).close();
  });

  it('answers lookups from worker threads while the main thread holds it open', async () => {
    const dir = tempDir();
    const index = await sealedIndex(dir, archiveLinks(500), 64);
    const answers = await Promise.all([1, 2].map(() => lookupInWorker(dir, ['anon-1', 'anon-14', 'anon-499', 'none'])));
    for (const answer of answers) {
      expect(answer).toEqual([{ userId: 'user-1', source: 'logs/a.ndjson:2' }, 'ambiguous', { userId: 'user-499', source: 'logs/a.ndjson:500' }, null]);
    }
    index.close();
  });

  it('gives the uninterrupted index after a SIGKILL past the mark (a run it does not count) and a resume that links again from it', async () => {
    const links = archiveLinks(3000);
    const whole = await sealedIndex(tempDir(), links, 64);

    const dir = tempDir();
    const { status, signal, stdout } = spawnSync(process.execPath, ['--input-type=module', '-e', crashScript(dir, links)], { encoding: 'utf8' });
    expect(signal, `exit ${status}`).toBe('SIGKILL');
    const { cut, mark } = JSON.parse(stdout) as { cut: number; mark: { links: number } };
    const resumed = IdentityIndex.open(dir, { mark });
    links.slice(cut).forEach(([anon, user, source], i) => {
      resumed.link(anon, user, source);
      if (i % 64 === 63) resumed.commit(resumed.mark());
    });
    await resumed.seal();
    for (let i = 0; i < 3000; i++) expect(resumed.lookup(`anon-${i}`)).toEqual(whole.lookup(`anon-${i}`));
    whole.close();
    resumed.close();
  });
});

function lookupInWorker(dir: string, ids: string[]): Promise<unknown[]> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.built).then(({ IdentityIndex }) => {
      const index = IdentityIndex.open(workerData.dir, { readonly: true });
      parentPort.postMessage(workerData.ids.map((id) => index.lookup(id) ?? null));
      index.close();
    });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { dir, ids, built: built.href } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/**
 * Links up to a checkpoint at 1000 and prints its mark; links 1000 more, with a commit halfway (a run
 * past the mark, as when a process dies between a run and its checkpoint); then dies by SIGKILL.
 */
function crashScript(dir: string, links: [string, string, string][]): string {
  return `
    const { IdentityIndex } = await import(${JSON.stringify(built.href)});
    const links = ${JSON.stringify(links.slice(0, 2000))};
    const index = IdentityIndex.open(${JSON.stringify(dir)});
    for (const [a, u, s] of links.slice(0, 1000)) index.link(a, u, s);
    const mark = index.mark();
    index.commit(mark);
    process.stdout.write(JSON.stringify({ cut: 1000, mark }));
    for (const [a, u, s] of links.slice(1000, 1500)) index.link(a, u, s);
    index.commit(index.mark());
    for (const [a, u, s] of links.slice(1500)) index.link(a, u, s);
    process.kill(process.pid, 'SIGKILL');`;
}
