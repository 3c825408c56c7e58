import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/dryrun/ledger.js';

describe('Ledger', () => {
  it("counts a record's counts only once a mark past it is settled, in the order they were made", () => {
    const ledger = new Ledger();
    const counted: string[] = [];
    const count = (name: string, n: number) => counted.push(`${name}${n}`);
    for (const name of ['a', 'b', 'c']) {
      ledger.begin();
      ledger.defer(count, name, 1, undefined, undefined, undefined);
      ledger.defer(count, name, 2, undefined, undefined, undefined);
    }
    expect(ledger.begun).toBe(3);
    ledger.settle(1);
    expect(counted).toEqual(['a1', 'a2']);
    ledger.settle(1);
    expect(counted).toEqual(['a1', 'a2']);
    ledger.settle(3);
    expect(counted).toEqual(['a1', 'a2', 'b1', 'b2', 'c1', 'c2']);
    expect(ledger.held).toBe(0);
  });

  it('numbers records on from where a resumed run starts', () => {
    const ledger = new Ledger(10);
    const counted: number[] = [];
    ledger.begin();
    ledger.defer((n: number) => counted.push(n), 10, undefined, undefined, undefined, undefined);
    ledger.settle(10);
    expect(counted).toEqual([]);
    ledger.settle(11);
    expect(counted).toEqual([10]);
  });

  it('holds only what is not settled yet', () => {
    const ledger = new Ledger();
    for (let i = 0; i < 5000; i++) {
      ledger.begin();
      ledger.defer(() => undefined, undefined, undefined, undefined, undefined, undefined);
      ledger.settle(i);
    }
    // One count waits; what was settled is dropped in slices of about a thousand.
    expect(ledger.held).toBeLessThanOrEqual(1026);
  });
});
