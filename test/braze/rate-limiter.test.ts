import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/braze/rate-limiter.js';

/** A fake clock whose sleep advances time instantly. */
function fakeClock(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
    sleeps,
  };
}

async function startTimes(limiter: RateLimiter, clock: ReturnType<typeof fakeClock>, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await limiter.acquire();
    times.push(clock.now() - 1_000_000);
  }
  return times;
}

describe('RateLimiter', () => {
  it('spaces requests at the configured rate', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ rate: 4, now: clock.now, sleep: clock.sleep });
    expect(await startTimes(limiter, clock, 4)).toEqual([0, 250, 500, 750]);
  });

  it('lets a burst of N start at once, and not N+1', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ rate: 10, burst: 3, now: clock.now, sleep: clock.sleep });
    clock.advance(10_000);
    const t0 = clock.now();
    for (let i = 0; i < 3; i++) await limiter.acquire();
    expect(clock.now()).toBe(t0);
    await limiter.acquire();
    expect(clock.now()).toBe(t0 + 100);
  });

  it('holds everyone until a pause ends', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ rate: 100, now: clock.now, sleep: clock.sleep });
    await limiter.acquire();
    limiter.pauseUntil(clock.now() + 3000);
    await limiter.acquire();
    expect(clock.now() - 1_000_000).toBe(3000);
  });

  it('halves the rate on slowDown and recovers additively on success', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ rate: 100, now: clock.now, sleep: clock.sleep });
    limiter.slowDown();
    expect(limiter.currentRate).toBe(50);
    limiter.slowDown();
    expect(limiter.currentRate).toBe(25);
    limiter.succeeded();
    expect(limiter.currentRate).toBe(26);
    for (let i = 0; i < 100; i++) limiter.succeeded();
    expect(limiter.currentRate).toBe(100);
  });

  it('never slows below the minimum rate', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ rate: 4, minRate: 1, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 10; i++) limiter.slowDown();
    expect(limiter.currentRate).toBe(1);
  });

  it('uses the slowed rate for spacing', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ rate: 4, now: clock.now, sleep: clock.sleep });
    limiter.slowDown();
    expect(await startTimes(limiter, clock, 3)).toEqual([0, 500, 1000]);
  });

  it('rejects with the abort reason', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ rate: 1, now: clock.now, sleep: clock.sleep });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(limiter.acquire(controller.signal)).rejects.toThrow('stop');
  });

  it('refuses a rate of 0', () => {
    expect(() => new RateLimiter({ rate: 0, now: Date.now, sleep: async () => undefined })).toThrow(RangeError);
  });
});
