import { describe, expect, it } from 'vitest';
import type { InputFile } from '../../src/input/types.js';
import { START } from '../../src/state/checkpoint.js';
import { duration, progressLine, type ProgressView } from '../../src/ui/progress-line.js';
import { bytesBefore, totalBytes } from '../../src/ui/progress.js';

const base: ProgressView = {
  command: 'replay',
  live: false,
  files: 8,
  filesDone: 3.4,
  bytesRead: 50_000_000,
  totalBytes: 125_000_000,
  elapsed: 20,
  doneAtStart: 0,
  counts: { 'records.read': 400_000, 'requests.sent': 3_900, 'records.rejected': 2 },
};

function file(path: string, size: number, gzip = true, format: InputFile['format'] = 'ndjson'): InputFile {
  return { path, display: path, format, gzip, size, mtimeMs: 0 };
}

describe('progressLine', () => {
  it('shows a dry run with bytes read of the total, elapsed time and an ETA at the pace so far', () => {
    const line = progressLine(base);
    expect(line).toBe('████████░░░░░░░░░░░░ 40% | files 3/8 | 50.0 MB of 125 MB | records 400,000 (20,000/s) | requests 3,900 | rejected 2 | elapsed 20s | ETA 30s');
  });

  it('shows a live replay with objects, request rate, retries, elapsed time and ETA', () => {
    const counts = { ...base.counts, 'objects.events': 100, 'objects.attributes': 20, 'objects.purchases': 3, 'requests.retried': 7 };
    const line = progressLine({ ...base, live: true, counts, elapsed: 130 });
    expect(line).toContain('| records 400,000 | requests 3,900 (30/s) | objects 123 | rejected 2 | retries 7 |');
    expect(line).toMatch(/\| elapsed 2m10s \| ETA 3m15s$/);
  });

  it("counts delete's IDs deleted, not objects", () => {
    const counts = { 'ids.read': 1_200, 'ids.deleted': 1_150, 'ids.rejected': 4, 'requests.sent': 23 };
    const live = progressLine({ ...base, command: 'delete', live: true, counts });
    expect(live).toContain('| IDs 1,200 | deleted 1,150 | rejected 4 | requests 23 (1/s) | retries 0 |');
    expect(live).not.toContain('objects');
    const dry = progressLine({ ...base, command: 'delete', live: false, counts });
    expect(dry).toContain('| IDs 1,200 | to delete 1,150 | rejected 4 | elapsed');
  });

  it('goes by files when the total size is unknown (stdin), and has no ETA before any pace', () => {
    const line = progressLine({ ...base, files: 1, filesDone: 0, totalBytes: undefined, bytesRead: 2_500, elapsed: 0 });
    expect(line).toMatch(/^░{20} 0% \| files 0\/1 \| 2\.5 kB read \|/);
    expect(line).toMatch(/elapsed 0s \| ETA –$/);
  });

  it("counts only this process's pace for the ETA of a resumed run", () => {
    // Half was done before the resume; 10 % more in 20 s: 40 % left takes 80 s.
    const line = progressLine({ ...base, bytesRead: 75_000_000, doneAtStart: 0.5 });
    expect(line).toMatch(/60% .*\| ETA 1m20s$/);
  });

  it('ends at 100 % with an ETA of 0s', () => {
    expect(progressLine({ ...base, bytesRead: 125_000_000, filesDone: 8 })).toMatch(/^█{20} 100% .*ETA 0s$/);
  });
});

describe('duration', () => {
  it.each([
    [0, '0s'],
    [59.4, '59s'],
    [60, '1m00s'],
    [3599, '59m59s'],
    [3600, '1h00m'],
    [7 * 3600 + 125, '7h02m'],
  ])('shows %d s as %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });
});

describe('the input bytes of the progress bar', () => {
  const files = [file('/a.gz', 100), file('/b.ndjson', 50, false), file('/c.gz', 30)];

  it('is the sum of the sizes, unknown with stdin', () => {
    expect(totalBytes(files)).toBe(180);
    expect(totalBytes([...files, file('-', 0, false)])).toBeUndefined();
  });

  it('counts the files before the resume point and the part of a plain NDJSON file that is skipped by seeking', () => {
    expect(bytesBefore(files, START)).toBe(0);
    expect(bytesBefore(files, { ...START, fileIndex: 1, line: 3, offset: 20 })).toBe(120);
    // A gzip file is read again from its start.
    expect(bytesBefore(files, { ...START, fileIndex: 2, line: 3, offset: 20 })).toBe(150);
    expect(bytesBefore([file('/x.csv', 90, false, 'csv')], { ...START, line: 3, offset: 20 })).toBe(0);
  });
});
