import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/state/atomic-file.js';
import { CHECKPOINT_FILE, START, loadCheckpoint, saveCheckpoint, type Checkpoint } from '../../src/state/checkpoint.js';
import { tempDirs } from '../support/temp.js';

const newDir = tempDirs('checkpoint-');

function tempDir(): string {
  const dir = newDir();
  return dir;
}

const checkpoint: Checkpoint = {
  version: 2,
  command: 'replay',
  dryRun: false,
  settingsHash: 'abc123',
  inputs: [{ path: '/data/a.ndjson', size: 10, mtimeMs: 1000, sample: 'ff' }],
  cursor: { fileIndex: 0, line: 4, offset: 120, skipItems: 2, skipRejected: true },
  nextRequest: 7,
  memory: { dedup: { count: 3 } },
  rejectedBytes: 55,
  requestsBytes: 0,
  counts: { 'records.read': 4, 'records.sent': 3, 'records.rejected': 1 },
  complete: false,
  startedAt: '2025-03-01T00:00:00.000Z',
  updatedAt: '2025-03-01T00:01:00.000Z',
};

describe('writeFileAtomic', () => {
  it('replaces the file content and leaves no temporary file', () => {
    const file = join(tempDir(), 'x.json');
    writeFileAtomic(file, 'old');
    writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  it('overwrites a temporary file left by a crash', () => {
    const file = join(tempDir(), 'x.json');
    writeFileSync(`${file}.tmp`, 'torn garbage that is longer than the new text');
    writeFileAtomic(file, 'ok');
    expect(readFileSync(file, 'utf8')).toBe('ok');
  });
});

describe('checkpoint.json', () => {
  it('round-trips through save and load', () => {
    const dir = tempDir();
    saveCheckpoint(dir, checkpoint);
    expect(loadCheckpoint(dir)).toEqual(checkpoint);
    expect(existsSync(join(dir, `${CHECKPOINT_FILE}.tmp`))).toBe(false);
  });

  it('loads nothing from a directory without a checkpoint', () => {
    expect(loadCheckpoint(tempDir())).toBeUndefined();
  });

  it('gives a StateError that suggests --restart for a checkpoint that is not JSON', () => {
    const dir = tempDir();
    writeFileSync(join(dir, CHECKPOINT_FILE), '{"version": 1, "cursor": ');
    expect(() => loadCheckpoint(dir)).toThrow(StateError);
    expect(() => loadCheckpoint(dir)).toThrow(/--restart/);
  });

  it('gives a StateError for a checkpoint of another version or shape', () => {
    const dir = tempDir();
    for (const text of ['{"version": 3}', '[]', 'null', '"checkpoint"']) {
      writeFileSync(join(dir, CHECKPOINT_FILE), text);
      expect(() => loadCheckpoint(dir), text).toThrow(StateError);
    }
  });

  it('resumes a version-1 checkpoint with its journal count as the de-duplication mark', () => {
    const dir = tempDir();
    const { memory: _memory, ...rest } = checkpoint;
    writeFileSync(join(dir, CHECKPOINT_FILE), JSON.stringify({ ...rest, version: 1, ids: 3 }));
    expect(loadCheckpoint(dir)).toEqual(checkpoint);
  });

  it('starts at the first record of the first file', () => {
    expect(START).toEqual({ fileIndex: 0, line: 0, offset: 0, skipItems: 0, skipRejected: false });
  });
});
