import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PageMemory } from '../../src/dryrun/page-memory.js';
import { tempDir } from '../support/cli.js';

/** Plans `n` records of one day each into the memory, the first at `day`. */
function plan(memory: PageMemory, day: number, n: number): void {
  for (let i = 0; i < n; i++) {
    memory.begin();
    memory.timed(Date.UTC(2025, 0, day + i) / 1000, true, 2);
  }
}

const records = (memory: PageMemory) => memory.series.data().buckets.reduce((a, b) => a + b.records, 0);

describe('PageMemory', () => {
  it('counts a record once it is committed, and comes back from the checkpoint it names', () => {
    const dir = tempDir();
    const one = new PageMemory(dir, undefined, true);
    plan(one, 1, 5);
    expect(records(one)).toBe(0);
    one.advance(3);
    expect(records(one)).toBe(3);
    one.commit(4);
    const two = new PageMemory(dir, 4, true);
    expect(two.whole).toBe(true);
    expect(records(two)).toBe(4);
    expect(two.mark()).toBe(4);
  });

  it("keeps the counts of the checkpoint saved before, for a crash between the page's file and the checkpoint", () => {
    const dir = tempDir();
    const one = new PageMemory(dir, undefined, true);
    plan(one, 1, 6);
    one.commit(2);
    one.commit(5);
    expect(existsSync(join(dir, 'page-data.prev.json'))).toBe(true);
    // The process died before the checkpoint naming mark 5 was saved: the one saved names mark 2.
    const resumed = new PageMemory(dir, 2, true);
    expect(resumed.whole).toBe(true);
    expect(records(resumed)).toBe(2);
  });

  it('says so when the counts the checkpoint names are not there', () => {
    const memory = new PageMemory(tempDir(), 7, true);
    expect(memory.whole).toBe(false);
    expect(memory.mark()).toBe(7);
  });
});
