import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RequestLog } from '../../src/state/request-log.js';
import { tempDirs } from '../support/temp.js';

const newDir = tempDirs('request-log-');

function logFile(text?: string): string {
  const dir = newDir();
  const file = join(dir, 'requests.log');
  if (text !== undefined) writeFileSync(file, text);
  return file;
}

const ack = (rejected: Array<{ item: number; reason: string }> = [], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ rejected, httpRequests: 1, retries: 0, ...extra });

describe('RequestLog.open', () => {
  it('starts with an empty history and an empty file when there is no log', () => {
    const file = logFile();
    const { log, history } = RequestLog.open(file, 1);
    log.close();
    expect(history.acked.size).toBe(0);
    expect(history.inDoubt.size).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('reads acknowledged requests with their refusals and sent-only requests as in doubt', () => {
    const file = logFile(['S 1', 'S 2', `A 2 ${ack([{ item: 3, reason: 'bad' }])}`, 'S 3', ''].join('\n'));
    const { log, history } = RequestLog.open(file, 1);
    log.close();
    expect([...history.acked.keys()]).toEqual([2]);
    expect(history.acked.get(2)).toEqual({ rejected: [{ item: 3, reason: 'bad' }], httpRequests: 1, retries: 0 });
    expect([...history.inDoubt].sort()).toEqual([1, 3]);
  });

  it('ignores entries below fromRequest (already covered by the checkpoint)', () => {
    const file = logFile(['S 4', `A 4 ${ack()}`, 'S 5', 'S 6', `A 6 ${ack()}`, 'D 3', ''].join('\n'));
    const { log, history } = RequestLog.open(file, 5);
    log.close();
    expect([...history.acked.keys()]).toEqual([6]);
    expect([...history.inDoubt]).toEqual([5]);
  });

  it('keeps a request whose acknowledgement line is torn in doubt', () => {
    const file = logFile(['S 1', `A 1 ${ack()}`, 'S 2', 'A 2 {"rejected":['].join('\n'));
    const { log, history } = RequestLog.open(file, 1);
    log.close();
    expect([...history.acked.keys()]).toEqual([1]);
    expect([...history.inDoubt]).toEqual([2]);
  });

  it('reads a D marker as a request in doubt', () => {
    const file = logFile('D 9\n');
    const { log, history } = RequestLog.open(file, 1);
    log.close();
    expect([...history.inDoubt]).toEqual([9]);
  });

  it('rewrites the log with the acknowledgements and D markers only, so a second open sees the same history', () => {
    const file = logFile(['S 1', 'S 2', `A 2 ${ack([], { inDoubt: true })}`, 'S 3', 'S 0', ''].join('\n'));
    const first = RequestLog.open(file, 1);
    first.log.close();
    expect(readFileSync(file, 'utf8')).toBe(`A 2 ${ack([], { inDoubt: true })}\nD 1 1\nD 3 1\n`);
    const second = RequestLog.open(file, 1);
    second.log.close();
    expect(second.history.acked).toEqual(first.history.acked);
    expect(second.history.acked.get(2)?.inDoubt).toBe(true);
    expect([...second.history.inDoubt].sort()).toEqual([1, 3]);
  });

  it('counts each process that died with a request in flight: a re-send caught by a second kill is in doubt twice', () => {
    const file = logFile('S 5\nS 6\n');
    // The first process died with 5 and 6 in flight; the second re-sends 5 and dies too.
    const second = RequestLog.open(file, 1);
    expect(second.history.doubts).toEqual(new Map([[5, 1], [6, 1]]));
    second.log.sent(5);
    second.log.close();
    const third = RequestLog.open(file, 1);
    third.log.close();
    expect([...third.history.inDoubt].sort()).toEqual([5, 6]);
    expect(third.history.doubts).toEqual(new Map([[5, 2], [6, 1]]));
    // A legacy marker without a count is one process.
    const legacy = RequestLog.open(logFile('D 9\n'), 1);
    legacy.log.close();
    expect(legacy.history.doubts).toEqual(new Map([[9, 1]]));
  });

  it('appends S and A lines that a later open reads back', () => {
    const file = logFile();
    const { log } = RequestLog.open(file, 1);
    log.sent(1);
    log.sent(2);
    log.acked(2, { rejected: [{ item: 0, reason: 'x' }], httpRequests: 2, retries: 1, deleted: 4 });
    log.close();
    const { log: again, history } = RequestLog.open(file, 1);
    again.close();
    expect(history.acked.get(2)).toEqual({ rejected: [{ item: 0, reason: 'x' }], httpRequests: 2, retries: 1, deleted: 4 });
    expect([...history.inDoubt]).toEqual([1]);
  });
});

describe('RequestLog.compact', () => {
  it('keeps the log to the requests after the checkpoint: bounded however many were sent, and still read right on resume', () => {
    const file = logFile();
    const { log } = RequestLog.open(file, 1);
    const delivery = { rejected: [], httpRequests: 1, retries: 0 };
    let largest = 0;
    for (let n = 1; n <= 50_000; n++) {
      log.sent(n);
      // Acknowledged out of order: every tenth request stays in flight for a while.
      if (n % 10 !== 0) log.acked(n, delivery);
      else if (n > 30) log.acked(n - 30, delivery);
      if (n % 500 === 0) {
        log.compact(n - 40);
        largest = Math.max(largest, readFileSync(file, 'utf8').length);
      }
    }
    log.sent(50_001);
    log.close();
    expect(largest).toBeLessThan(300_000);
    const { log: again, history } = RequestLog.open(file, 49_961);
    again.close();
    // Requests 49,980, 49,990 and 50,000 had no answer yet, and 50,001 was in flight.
    expect([...history.inDoubt].sort()).toEqual([49_980, 49_990, 50_000, 50_001]);
    expect(history.acked.has(49_999)).toBe(true);
    expect(history.acked.has(49_970)).toBe(true);
  });
});
