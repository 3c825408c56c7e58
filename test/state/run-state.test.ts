import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import { START, loadCheckpoint } from '../../src/state/checkpoint.js';
import type { Fingerprint } from '../../src/state/fingerprint.js';
import { InputFingerprints } from '../../src/state/input-fingerprints.js';
import type { RunIdentity } from '../../src/state/run-key.js';
import { RunState, type CommitState } from '../../src/state/run-state.js';

const dirs: string[] = [];
const open: RunState[] = [];
afterEach(() => {
  for (const state of open.splice(0)) state.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'run-state-'));
  dirs.push(root);
  return join(root, 'state');
}

const identity: RunIdentity = {
  command: 'replay',
  dryRun: false,
  inputs: ['/in/a.ndjson'],
  endpoint: 'https://rest.iad-01.braze.com',
  settings: { preset: 'classic', batchSize: 75 },
};
const inputs: Fingerprint[] = [{ path: '/in/a.ndjson', size: 100, mtimeMs: 5, sample: 'abc' }];
const t0 = new Date('2025-03-01T10:00:00.000Z');
const t1 = new Date('2025-03-01T10:05:00.000Z');

const commit: CommitState = {
  cursor: { fileIndex: 0, line: 3, offset: 60, skipItems: 0, skipRejected: false },
  nextRequest: 4,
  memory: { dedup: { count: 2 } },
  counts: { 'records.read': 3, 'records.sent': 3 },
};

function openState(dir: string, id: RunIdentity = identity, fps: Fingerprint[] = inputs, restart = false, now = t0): RunState {
  const state = RunState.open(dir, id, InputFingerprints.known(fps), restart, now);
  open.push(state);
  return state;
}

/** Opens, saves one commit with one rejects line and one hash, and closes. */
function saveOnce(dir: string, id: RunIdentity = identity): void {
  const state = RunState.open(dir, id, InputFingerprints.known(inputs), false, t0);
  state.ids.add(1, 1);
  state.ids.add(2, 2);
  state.rejected.write(['{"line":2}']);
  state.save(commit, false, t1);
  state.close();
}

describe('RunState.open', () => {
  it('creates the directory and starts a fresh run at the first record', () => {
    const dir = stateDir();
    const state = openState(dir);
    expect(existsSync(dir)).toBe(true);
    expect(state.resumed).toBeUndefined();
    expect(state.cursor).toEqual(START);
    expect(state.startedAt).toBe(t0.toISOString());
    expect(state.log).toBeDefined();
    expect(state.requests).toBeUndefined();
    expect(state.history.acked.size + state.history.inDoubt.size).toBe(0);
  });

  it('keeps no request log but a requests file in a dry run', () => {
    const state = openState(stateDir(), { ...identity, dryRun: true });
    expect(state.log).toBeUndefined();
    expect(state.requests).toBeDefined();
  });

  it('resumes from the saved checkpoint with its counters, cursor and start time', () => {
    const dir = stateDir();
    saveOnce(dir);
    const state = openState(dir, identity, inputs, false, t1);
    expect(state.resumed).toMatchObject({ command: 'replay', dryRun: false, nextRequest: 4, memory: { dedup: { count: 2 } }, complete: false, counts: commit.counts });
    expect(state.cursor).toEqual(commit.cursor);
    expect(state.startedAt).toBe(t0.toISOString());
    expect(state.resumed?.updatedAt).toBe(t1.toISOString());
    expect(state.ids.count).toBe(2);
    expect(state.ids.add(1, 1)).toBe(false);
    expect(state.rejected.bytes).toBe(Buffer.byteLength('{"line":2}\n'));
  });

  it('saves the committed lengths of the output files and cuts later lines on resume', () => {
    const dir = stateDir();
    saveOnce(dir);
    const state = RunState.open(dir, identity, InputFingerprints.known(inputs), false, t1);
    state.rejected.write(['{"line":9}']);
    state.close();
    expect(readFileSync(join(dir, 'rejected.ndjson'), 'utf8')).toBe('{"line":2}\n{"line":9}\n');
    openState(dir, identity, inputs, false, t1);
    expect(readFileSync(join(dir, 'rejected.ndjson'), 'utf8')).toBe('{"line":2}\n');
  });

  it('reads requests sent after the checkpoint as in doubt, and earlier ones not at all', () => {
    const dir = stateDir();
    const state = RunState.open(dir, identity, InputFingerprints.known(inputs), false, t0);
    state.log!.sent(3);
    state.log!.acked(3, { rejected: [], httpRequests: 1, retries: 0 });
    state.log!.sent(4);
    state.log!.sent(5);
    state.log!.acked(5, { rejected: [], httpRequests: 1, retries: 0 });
    state.save(commit, false, t1);
    state.close();
    const resumed = openState(dir);
    expect([...resumed.history.inDoubt]).toEqual([4]);
    expect([...resumed.history.acked.keys()]).toEqual([5]);
  });

  it('refuses a checkpoint of another command', () => {
    const dir = stateDir();
    saveOnce(dir);
    expect(() => openState(dir, { ...identity, command: 'delete' })).toThrow(StateError);
    expect(() => openState(dir, { ...identity, command: 'delete' })).toThrow(/replay run, not a delete run.*--restart/s);
  });

  it('refuses a real run over a dry run and a dry run over a real run', () => {
    const real = stateDir();
    saveOnce(real);
    expect(() => openState(real, { ...identity, dryRun: true })).toThrow(/holds a real run/);
    const dry = stateDir();
    saveOnce(dry, { ...identity, dryRun: true });
    expect(() => openState(dry)).toThrow(/holds a dry run/);
  });

  it('refuses a checkpoint started with other settings', () => {
    const dir = stateDir();
    saveOnce(dir);
    const other = { ...identity, settings: { ...identity.settings, batchSize: 50 } };
    expect(() => openState(dir, other)).toThrow(StateError);
    expect(() => openState(dir, other)).toThrow(/settings differ/);
  });

  it('refuses changed inputs and says why', () => {
    const dir = stateDir();
    saveOnce(dir);
    const changed = [{ ...inputs[0]!, size: 101 }];
    expect(() => openState(dir, identity, changed)).toThrow(StateError);
    expect(() => openState(dir, identity, changed)).toThrow(/changed size \(100 -> 101 bytes\)/);
  });

  it('does not refuse a different endpoint or input list when settings and fingerprints match', () => {
    const dir = stateDir();
    saveOnce(dir);
    expect(openState(dir, { ...identity, endpoint: undefined, inputs: ['/elsewhere'] }).resumed).toBeDefined();
  });

  it('wipes the state with --restart and starts over', () => {
    const dir = stateDir();
    saveOnce(dir);
    const other = { ...identity, settings: { ...identity.settings, batchSize: 50 } };
    const state = openState(dir, other, inputs, true, t1);
    expect(state.resumed).toBeUndefined();
    expect(state.cursor).toEqual(START);
    expect(state.ids.count).toBe(0);
    expect(state.ids.add(1, 1)).toBe(true);
    expect(state.startedAt).toBe(t1.toISOString());
    expect(loadCheckpoint(dir)).toBeUndefined();
    expect(readFileSync(join(dir, 'rejected.ndjson'), 'utf8')).toBe('');
  });

  it('refuses a corrupt checkpoint with a StateError', () => {
    const dir = stateDir();
    saveOnce(dir);
    rmSync(join(dir, 'checkpoint.json'));
    // A missing checkpoint is a fresh start; a torn one is refused.
    expect(openState(dir).resumed).toBeUndefined();
    for (const state of open.splice(0)) state.close();
    writeFileSync(join(dir, 'checkpoint.json'), '{"version":1,');
    expect(() => openState(dir)).toThrow(StateError);
  });
});

describe('RunState.save', () => {
  it('writes a versioned checkpoint with settings hash, inputs and the complete flag', () => {
    const dir = stateDir();
    const state = openState(dir);
    state.save(commit, true, t1);
    const saved = loadCheckpoint(dir)!;
    expect(saved).toMatchObject({
      version: 2,
      command: 'replay',
      dryRun: false,
      inputs: { count: 1 },
      cursor: commit.cursor,
      nextRequest: 4,
      memory: { dedup: { count: 2 } },
      rejectedBytes: 0,
      requestsBytes: 0,
      counts: commit.counts,
      complete: true,
      startedAt: t0.toISOString(),
      updatedAt: t1.toISOString(),
    });
    expect(saved.settingsHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('records the requests file length in a dry run', () => {
    const dir = stateDir();
    const state = openState(dir, { ...identity, dryRun: true });
    state.requests!.write(['{"method":"POST"}']);
    state.save(commit, false, t1);
    expect(loadCheckpoint(dir)!.requestsBytes).toBe(Buffer.byteLength('{"method":"POST"}\n'));
    expect(readFileSync(join(dir, 'requests.ndjson'), 'utf8')).toBe('{"method":"POST"}\n');
  });
});

describe('the inputs in the checkpoint', () => {
  it('are fingerprinted as the run goes: none when a fresh run opens, all at its first save; all when a resume opens', () => {
    const dir = stateDir();
    const files = ['a', 'b', 'c'].map((name) => {
      const path = join(dirname(dir), `${name}.ndjson`);
      writeFileSync(path, `{"n":"${name}"}\n`);
      return { path, display: `${name}.ndjson`, format: 'ndjson' as const, gzip: false, size: 10, mtimeMs: 5 };
    });
    const fresh = InputFingerprints.of(files);
    const state = RunState.open(dir, identity, fresh, false, t0);
    expect([fresh.taken, existsSync(join(dir, 'inputs.ndjson'))]).toEqual([0, false]);
    state.save(commit, false, t1);
    expect(fresh.taken).toBe(3);
    expect(readFileSync(join(dir, 'inputs.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Fingerprint).path)).toEqual(files.map((f) => f.path));
    state.close();
    const again = InputFingerprints.of(files);
    const resumed = RunState.open(dir, identity, again, false, t1);
    open.push(resumed);
    expect([resumed.resumed !== undefined, again.taken]).toEqual([true, 3]);
  });

  const many = (n: number): Fingerprint[] => Array.from({ length: n }, (_, i) => ({ path: `/in/${String(i).padStart(6, '0')}.gz`, size: 1000 + i, mtimeMs: 5, sample: 'ab'.repeat(16) }));

  it('take as much room for 20,000 files as for 2 (they are listed once in inputs.ndjson), and a changed one is still named', () => {
    const sizes = [2, 20_000].map((n) => {
      const dir = stateDir();
      const state = openState(dir, identity, many(n));
      state.save(commit, false, t1);
      return readFileSync(join(dir, 'checkpoint.json'), 'utf8').length;
    });
    // Only the count's digits differ.
    expect(sizes[1]! - sizes[0]!).toBe('20000'.length - '2'.length);
    const dir = stateDir();
    const state = openState(dir, identity, many(20_000));
    state.save(commit, false, t1);
    expect(readFileSync(join(dir, 'inputs.ndjson'), 'utf8').split('\n').length).toBe(20_001);
    const changed = many(20_000);
    changed[12_345] = { ...changed[12_345]!, sample: 'cd'.repeat(16) };
    expect(() => openState(dir, identity, changed)).toThrow(/\/in\/012345\.gz changed content/);
    expect(openState(dir, identity, many(20_000)).resumed).toBeDefined();
  });
});
