import { describe, expect, it } from 'vitest';
import { RunMemories, type RunMemory } from '../../src/state/run-memory.js';

/** A memory of a number that records what was committed and whether it was closed. */
class Counter implements RunMemory<number> {
  committed: number[] = [];
  closed = false;
  constructor(public value: number) {}
  mark(): number {
    return this.value;
  }
  commit(mark: number): void {
    this.committed.push(mark);
  }
  close(): void {
    this.closed = true;
  }
}

describe('RunMemories', () => {
  it('opens each memory from its stored mark, and a memory the checkpoint does not hold from nothing', () => {
    const memories = new RunMemories({ a: 5 });
    const a = memories.open<number, Counter>('a', (stored) => new Counter(stored ?? 0));
    const b = memories.open<number, Counter>('b', (stored) => new Counter(stored ?? -1));
    expect([a.value, b.value]).toEqual([5, -1]);
  });

  it('marks every memory together, by name, and commits each its own mark', () => {
    const memories = new RunMemories();
    const a = memories.open<number, Counter>('a', () => new Counter(1));
    const b = memories.open<number, Counter>('b', () => new Counter(2));
    const marks = memories.mark();
    a.value = 10;
    expect(marks).toEqual({ a: 1, b: 2 });
    expect(memories.mark()).toEqual({ a: 10, b: 2 });
    memories.commit(marks);
    expect([a.committed, b.committed]).toEqual([[1], [2]]);
    memories.close();
    expect(a.closed && b.closed).toBe(true);
  });

  it('refuses two memories under one name (their marks would overwrite each other)', () => {
    const memories = new RunMemories();
    memories.open<number, Counter>('a', () => new Counter(1));
    expect(() => memories.open<number, Counter>('a', () => new Counter(1))).toThrow(/already open/);
  });
});
