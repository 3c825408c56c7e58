import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateLockedError } from '../../../src/errors.js';
import { holderState, parseHolder, type Holder, type ProcessTable } from '../../../src/state/access/holder.js';
import { LOCK_FILE, StateLock } from '../../../src/state/access/state-lock.js';
import { tempDirs } from '../../support/temp.js';

const tempDir = tempDirs('state-lock-');

/** A machine whose processes are `running` (pid -> start time). */
function machine(running: Record<number, number>, host = 'build-7', boot = 'boot-1'): ProcessTable {
  return { host, boot, startOf: (pid) => running[pid], exists: (pid) => pid in running };
}

const holder: Holder = { pid: 100, host: 'build-7', command: 'segment-braze replay logs/', since: '2025-06-01T03:00:00.000Z', boot: 'boot-1', started: 5000, nonce: 'n1' };

describe('holderState', () => {
  it('is alive while its pid runs the process that took the lock', () => {
    expect(holderState(holder, machine({ 100: 5000 }), 200)).toBe('alive');
  });

  it('is dead when its pid is gone, runs another process (reused), or the machine restarted since', () => {
    expect(holderState(holder, machine({}), 200)).toBe('dead');
    expect(holderState(holder, machine({ 100: 7777 }), 200)).toBe('dead');
    expect(holderState(holder, machine({ 100: 5000 }, 'build-7', 'boot-2'), 200)).toBe('dead');
  });

  it('is dead when it names the pid of the process asking (which does not hold it yet: an earlier container’s pid 1)', () => {
    expect(holderState(holder, machine({ 100: 5000 }), 100)).toBe('dead');
  });

  it('is unknown on another host, alive or not', () => {
    expect(holderState(holder, machine({ 100: 5000 }, 'laptop'), 200)).toBe('unknown');
    expect(holderState(holder, machine({}, 'laptop'), 200)).toBe('unknown');
  });

  it('without a start time (no /proc), a running pid counts as alive', () => {
    const { started: _started, ...plain } = holder;
    expect(holderState(plain, machine({ 100: 1 }), 200)).toBe('alive');
  });
});

describe('StateLock', () => {
  const options = (pid: number, table: ProcessTable, takeOver = false) => ({ command: `segment-braze replay run-${pid}`, now: new Date('2025-06-01T03:00:00Z'), takeOver, table, pid });

  it('refuses a second taker while the holder lives, naming it; takes over at once when it died, with a warning', () => {
    const dir = join(tempDir(), 'state');
    const running: Record<number, number> = { 100: 1, 200: 2 };
    const table = machine(running);
    const first = StateLock.take(dir, options(100, table), () => undefined);
    expect(() => StateLock.take(dir, options(200, table), () => undefined)).toThrow(StateLockedError);
    expect(() => StateLock.take(dir, options(200, table), () => undefined)).toThrow(/in use by another run: pid 100 on host build-7, running `segment-braze replay run-100`, since 2025-06-01T03:00:00.000Z/);
    delete running[100];
    const warnings: string[] = [];
    const second = StateLock.take(dir, options(200, table), (w) => warnings.push(w));
    expect(warnings).toEqual([`Took over the lock of ${dir} from pid 100 on host build-7, running \`segment-braze replay run-100\`, since 2025-06-01T03:00:00.000Z: that process is no longer running.`]);
    expect(parseHolder(readFileSync(join(dir, LOCK_FILE), 'utf8'))?.pid).toBe(200);
    // The first, had it come back, must not remove the lock it lost.
    first.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    second.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a lock from another host unless taken over, and writes the lock file 0600 in a 0700 directory', () => {
    const dir = join(tempDir(), 'state');
    const here = machine({ 300: 3 }, 'here');
    StateLock.take(dir, options(100, machine({ 100: 1 }, 'there')), () => undefined);
    expect(() => StateLock.take(dir, options(300, here), () => undefined)).toThrow(/locked by a run on another host: pid 100 on host there.*--take-over-lock/);
    const warnings: string[] = [];
    const taken = StateLock.take(dir, options(300, here, true), (w) => warnings.push(w));
    expect(warnings[0]).toMatch(/^Took over the lock of .* from pid 100 on host there, .*\(--take-over-lock\)\.$/);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, LOCK_FILE)).mode & 0o777).toBe(0o600);
    expect(taken.held).toBe(true);
    taken.release();
  });

  it('takes over an unreadable lock file (torn by a crash) and leaves no file of its own behind', () => {
    const dir = join(tempDir(), 'state');
    StateLock.take(dir, options(100, machine({ 100: 1 })), () => undefined).release();
    writeFileSync(join(dir, LOCK_FILE), '{"pid": 1');
    const warnings: string[] = [];
    const lock = StateLock.take(dir, options(100, machine({ 100: 1 })), (w) => warnings.push(w));
    expect(warnings).toEqual([`Took over the lock of ${dir}: its lock file was unreadable (left by a crash).`]);
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
    lock.release();
  });
});
