import { describe, expect, it } from 'vitest';
import { START, loadCheckpoint, type Cursor } from '../../src/state/checkpoint.js';
import { IDENTITY, IdentityIndex, type IdentityMark } from '../../src/state/identity/index.js';
import type { RunIdentity } from '../../src/state/run-key.js';
import { RunState } from '../../src/state/run-state.js';
import { InputFingerprints } from '../../src/state/input-fingerprints.js';
import { tempDirs } from '../support/temp.js';

const tempDir = tempDirs('index-pass-state-');
const identity: RunIdentity = { command: 'replay', dryRun: true, inputs: ['/in/a.ndjson'], endpoint: undefined, settings: { stitch: true } };
const now = new Date('2026-01-01T00:00:00Z');

function openState(dir: string): { state: RunState; index: IdentityIndex } {
  const state = RunState.open(dir, identity, InputFingerprints.known([]), false, now);
  const index = state.memory.open<IdentityMark, IdentityIndex>(IDENTITY, (mark) => IdentityIndex.open(dir, { mark }));
  return { state, index };
}

describe('the index pass in the checkpoint', () => {
  it('starts a fresh run with the index pass, and resumes it from its cursor with the links it committed', async () => {
    const dir = tempDir();
    const first = openState(dir);
    expect(first.state.indexCursor).toEqual(START);
    first.index.link('a1', 'u1', 'a.ndjson:1');
    const at: Cursor = { ...START, line: 1, offset: 40 };
    first.state.saveIndexPass(at, false, now);
    expect(loadCheckpoint(dir)).toMatchObject({ pass: 'index', cursor: at, memory: { [IDENTITY]: { links: 1 } } });
    // After the checkpoint: not in it, and lost with the process (the resume reads it again).
    first.index.link('a2', 'u2', 'a.ndjson:2');
    first.state.close();

    const again = openState(dir);
    // Still in the index pass: no replay checkpoint to resume, and the link it committed is there.
    expect(again.state.indexCursor).toEqual(at);
    expect(again.state.resumed).toBeUndefined();
    expect(again.state.cursor).toEqual(START);
    expect(again.index.mark()).toEqual({ links: 1 });
    expect(await again.index.seal()).toBe(true);
    expect(again.index.lookup('a1')).toEqual({ userId: 'u1', source: 'a.ndjson:1' });
    expect(again.index.lookup('a2')).toBeUndefined();
    again.state.close();
  });

  it('hands over to the replay pass from the start, and a resume of it does not index again', async () => {
    const dir = tempDir();
    const first = openState(dir);
    first.index.link('a1', 'u1', 'a.ndjson:1');
    await first.index.seal();
    first.state.saveIndexPass({ ...START, fileIndex: 1 }, true, now);
    expect(first.state.indexCursor).toBeUndefined();
    const saved = loadCheckpoint(dir)!;
    expect(saved.pass).toBeUndefined();
    expect(saved.cursor).toEqual(START);
    first.state.close();

    const again = openState(dir);
    expect(again.state.indexCursor).toBeUndefined();
    expect(again.state.resumed?.memory).toEqual(saved.memory);
    expect(again.index.sealed).toBe(true);
    expect(again.index.lookup('a1')).toEqual({ userId: 'u1', source: 'a.ndjson:1' });
    again.state.close();
  });
});
