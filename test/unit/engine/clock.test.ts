import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/main/engine/clock';
import { ClockPacer } from '../../../src/main/engine/pacer';
import { fakeTimers as fakeTimersOf } from '../../helpers/fake-timers';

describe('SimulatedClock', () => {
  it('fires due timers in time order with now() equal to each timer time', () => {
    const clock = new SimulatedClock(1_000);
    const seen: Array<[string, number]> = [];
    clock.at(3_000, () => seen.push(['c', clock.now()]));
    clock.at(2_000, () => seen.push(['b', clock.now()]));
    clock.at(2_000, () => seen.push(['b2', clock.now()]));
    clock.advanceTo(2_500);
    expect(seen).toEqual([['b', 2_000], ['b2', 2_000]]);
    expect(clock.now()).toBe(2_500);
    clock.advanceTo(10_000);
    expect(seen.at(-1)).toEqual(['c', 3_000]);
  });

  it('refuses to go back in time', () => {
    const clock = new SimulatedClock(5_000);
    expect(() => clock.advanceTo(4_999)).toThrow(/cannot go back/);
  });

  it('repeats periodic timers and stops them when cancelled from inside', () => {
    const clock = new SimulatedClock(0);
    const at: number[] = [];
    const cancel = clock.every(100, () => {
      at.push(clock.now());
      if (at.length === 3) cancel();
    });
    clock.advanceTo(1_000);
    expect(at).toEqual([100, 200, 300]);
    expect(clock.nextTimerAt()).toBeNull();
  });

  it('a timer scheduled from a callback for the same instant still fires in that advance', () => {
    const clock = new SimulatedClock(0);
    const seen: number[] = [];
    clock.at(10, () => clock.at(10, () => seen.push(clock.now())));
    clock.advanceTo(10);
    expect(seen).toEqual([10]);
  });
});

// The pacer's 0 ms timeouts here stand for a host without setImmediate (the fallback path).
const fakeTimers = () => fakeTimersOf({ immediates: false });

describe('ClockPacer', () => {
  it('moves simulated time at the chosen speed', () => {
    const clock = new SimulatedClock(0);
    const timers = fakeTimers();
    const fired: number[] = [];
    clock.every(60_000, () => fired.push(clock.now()));
    const pacer = new ClockPacer(clock, { speed: 60, timers });
    pacer.start();
    timers.advance(3_000); // 3 real seconds at 60× = 3 simulated minutes
    expect(fired).toEqual([60_000, 120_000, 180_000]);
    pacer.setSpeed(120);
    timers.advance(1_000); // 2 more minutes
    expect(fired).toHaveLength(5);
    pacer.pause();
    timers.advance(10_000);
    expect(fired).toHaveLength(5);
    pacer.resume();
    timers.advance(500);
    expect(fired).toHaveLength(6);
    pacer.stop();
  });

  it('jumps over a long idle gap instead of waiting it out', () => {
    const clock = new SimulatedClock(0);
    const timers = fakeTimers();
    const fired: number[] = [];
    clock.at(17 * 3_600_000, () => fired.push(clock.now())); // overnight
    const pacer = new ClockPacer(clock, { speed: 60, timers });
    pacer.start();
    timers.advance(10);
    expect(fired).toEqual([17 * 3_600_000]);
    pacer.stop();
  });

  it('refuses a speed below 1', () => {
    expect(() => new ClockPacer(new SimulatedClock(0), { speed: 0.5 })).toThrow(/speed must be/);
  });
});
