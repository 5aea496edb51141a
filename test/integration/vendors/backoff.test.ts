import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/main/data/vendors/backoff';
import { seededRandom } from './helpers';

describe('reconnect backoff', () => {
  it('draws each delay under a doubling ceiling, capped, and replays exactly from the same seed', () => {
    const a = new Backoff({ baseMs: 100, capMs: 1_000 }, seededRandom(42));
    const b = new Backoff({ baseMs: 100, capMs: 1_000 }, seededRandom(42));
    const ceilings: number[] = [];
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      ceilings.push(a.ceiling());
      delays.push(a.next());
    }
    expect(ceilings).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000]);
    delays.forEach((d, i) => {
      expect(Number.isInteger(d)).toBe(true);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(ceilings[i]!);
    });
    expect(Array.from({ length: 8 }, () => b.next())).toEqual(delays);
  });

  it('starts from the base again after a reset', () => {
    const backoff = new Backoff({ baseMs: 100, capMs: 1_000 }, () => 0.999);
    for (let i = 0; i < 5; i++) backoff.next();
    expect(backoff.attempts).toBe(5);
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(99);
  });

  it('refuses a policy whose cap is below its base', () => {
    expect(() => new Backoff({ baseMs: 100, capMs: 50 })).toThrow(RangeError);
  });
});
