import { describe, expect, it } from 'vitest';
import { RecordSamples, type RecordSample } from '../../src/dryrun/samples.js';

const offer = (samples: RecordSamples, line: number, fate: string) => samples.offer('a.ndjson', line, fate, `{"n":${line}}`, []);

describe('RecordSamples', () => {
  it('says when it holds every sample the page shows (four sent, three others), and not before', () => {
    const samples = new RecordSamples();
    let told = 0;
    samples.whenFull(() => told++);
    for (let line = 1; line <= 6; line++) offer(samples, line, 'records.sent');
    offer(samples, 7, 'records.skipped.anonymous');
    offer(samples, 8, 'records.rejected');
    expect([samples.full, told]).toEqual([false, 0]);
    offer(samples, 9, 'records.skipped.duplicate');
    expect([samples.full, told]).toEqual([true, 1]);
    expect(samples.list().map((s) => s.where)).toEqual(['a.ndjson:1', 'a.ndjson:2', 'a.ndjson:3', 'a.ndjson:4', 'a.ndjson:7', 'a.ndjson:8', 'a.ndjson:9']);
  });

  it('says so at once when a resumed run restored them all', () => {
    const full = new RecordSamples();
    for (let line = 1; line <= 7; line++) offer(full, line, line <= 4 ? 'records.sent' : 'records.rejected');
    const restored = new RecordSamples();
    restored.restore(full.list() as RecordSample[]);
    let told = false;
    restored.whenFull(() => (told = true));
    expect(told).toBe(true);
  });
});
