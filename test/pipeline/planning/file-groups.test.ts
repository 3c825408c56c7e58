import { describe, expect, it } from 'vitest';
import { GROUP_BYTES, GROUP_FILES, type WholeFile } from '../../../src/input/whole-file.js';
import { WholeFileGroups } from '../../../src/pipeline/planning/file-groups.js';
import { ChunkWriter } from '../../../src/pipeline/planning/planned-codec.js';
import type { GroupFileAnswer, GroupReply, WholeJob } from '../../../src/pipeline/planning/plan-worker.js';

const file = (name: string, size: number): WholeFile => ({ path: `/in/${name}`, display: name, size, format: undefined });

/** A pool that records the groups posted and answers each on demand. */
function recordingPool() {
  const posted: Array<{ files: readonly WholeJob[]; answer: (reply: Omit<GroupReply, 'seq'>) => void; fail: (error: Error) => void }> = [];
  const post = (files: readonly WholeJob[]) => new Promise<GroupReply>((resolve, reject) => posted.push({ files, answer: (reply) => resolve({ seq: 7, ...reply }), fail: reject }));
  return { posted, groups: new WholeFileGroups(post) };
}

/** The answer a worker gives a file it handed back (the simplest answer to tell apart). */
const handedBack = (n: number): GroupFileAnswer => ({ head: { bytes: new Uint8Array([n]), complete: true } });

describe('WholeFileGroups', () => {
  it('sends small files to one worker together, a group going as soon as it holds a whole share', () => {
    const { posted, groups } = recordingPool();
    const tiny = GROUP_BYTES / GROUP_FILES / 4;
    for (let i = 0; i < GROUP_FILES; i++) void groups.offer(file(`${i}.gz`, tiny), i);
    expect(posted.map((p) => p.files.length)).toEqual([GROUP_FILES]);
    for (let i = GROUP_FILES; i < GROUP_FILES + 3; i++) void groups.offer(file(`${i}.gz`, tiny), i);
    expect(posted.map((p) => p.files.length)).toEqual([GROUP_FILES]);
    expect(posted[0]!.files.map((f) => f.fileIndex)).toEqual(Array.from({ length: GROUP_FILES }, (_, i) => i));
    groups.flush();
    expect(posted.map((p) => p.files.length)).toEqual([GROUP_FILES, 3]);
    groups.flush();
    expect(posted).toHaveLength(2);
  });

  it('starts a new group when a file would take one past a whole share', () => {
    const { posted, groups } = recordingPool();
    void groups.offer(file('a.gz', GROUP_BYTES / 2), 0);
    void groups.offer(file('b.gz', GROUP_BYTES / 2 + 1), 1);
    void groups.offer(file('c.gz', GROUP_BYTES), 2);
    expect(posted.map((p) => p.files.map((f) => f.whole.display))).toEqual([['a.gz'], ['b.gz'], ['c.gz']]);
  });

  it("gives each file its own answer, and a file's failure fails that file alone", async () => {
    const { posted, groups } = recordingPool();
    const answers = ['a.gz', 'b.gz', 'c.gz'].map((name, i) => groups.offer(file(name, 100), i));
    groups.flush();
    posted[0]!.answer({ files: [handedBack(1), { error: 'boom' }, handedBack(3)] });
    const settled = await Promise.allSettled(answers);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: { seq: 7, ...handedBack(1) } });
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: new Error('Planning failed: boom') });
    expect(settled[2]).toEqual({ status: 'fulfilled', value: { seq: 7, ...handedBack(3) } });
  });

  it("gives each file planned its part of the group's one chunk", async () => {
    const { posted, groups } = recordingPool();
    const answers = ['a.gz', 'b.gz'].map((name, i) => groups.offer(file(name, 100), i));
    groups.flush();
    const chunk = new ChunkWriter(0).finish([]);
    const parts = [{ from: { record: 0, item: 0, trace: 0, string: 0 }, count: 2 }, { from: { record: 2, item: 3, trace: 1, string: 1 }, count: 1 }];
    posted[0]!.answer({ chunk, files: parts.map((part) => ({ part })) });
    expect(await Promise.all(answers)).toEqual(parts.map((part) => ({ seq: 7, chunk, part })));
  });

  it('fails every file of a group whose worker failed', async () => {
    const { posted, groups } = recordingPool();
    const answers = ['a.gz', 'b.gz'].map((name, i) => groups.offer(file(name, 100), i));
    groups.flush();
    posted[0]!.fail(new Error('worker died'));
    expect((await Promise.allSettled(answers)).map((s) => s.status)).toEqual(['rejected', 'rejected']);
  });
});
