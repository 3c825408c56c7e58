import { describe, expect, it } from 'vitest';
import { WindowVotes } from '../../../src/state/dedup/window-votes.js';
import { seededInts } from '../../support/random.js';

/** The lowest vote with at least half of the votes at or below it, by sorting them all. */
const sortedMedian = (votes: number[]) => [...votes].sort((a, b) => a - b)[Math.ceil(votes.length / 2) - 1]!;

describe('WindowVotes', () => {
  it('gives the median of votes cast in any order, in runs or scattered, after being cleared', () => {
    const random = seededInts(5);
    const votes = new WindowVotes();
    for (const spread of [1, 3, 40, 5000]) {
      votes.clear();
      const cast: number[] = [];
      for (let i = 0; i < 3000; i++) {
        // Runs of one bucket (messages in time order), and buckets far below and above (strays).
        const bucket = i % 7 === 0 ? random() % 300_000 : 150_000 + (random() % spread);
        const run = 1 + (random() % 4);
        for (let r = 0; r < run; r++) {
          votes.add(bucket);
          cast.push(bucket);
        }
        expect(votes.count).toBe(cast.length);
        if (i % 16 === 0) expect(votes.median(), `spread ${spread}, ${cast.length} votes`).toBe(sortedMedian(cast));
      }
    }
  });

  it('takes the lower of two halves', () => {
    const votes = new WindowVotes();
    for (const bucket of [9, 4, 9, 4]) votes.add(bucket);
    expect(votes.median()).toBe(4);
    votes.add(9);
    expect(votes.median()).toBe(9);
  });
});
