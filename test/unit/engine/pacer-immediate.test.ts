// The pacer's one-due-time-per-turn path (setImmediate): one chain of ticks whatever the trader does,
// every timer of an instant in one turn, and speed kept after time jumps outside it (a replay's seek).
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/main/engine/clock';
import { ClockPacer } from '../../../src/main/engine/pacer';
import { fakeTimers } from '../../helpers/fake-timers';


describe('ClockPacer with setImmediate', () => {
  it('keeps one chain through stop/pause/resume/setSpeed while an immediate is pending', () => {
    const clock = new SimulatedClock(0);
    const timers = fakeTimers();
    const fired: number[] = [];
    clock.every(60_000, () => fired.push(clock.now()));
    const pacer = new ClockPacer(clock, { speed: 60, timers });
    pacer.start();
    expect(timers.pending()).toBe(1);
    pacer.setSpeed(60);
    pacer.setSpeed(60);
    expect(timers.pending()).toBe(1);
    pacer.pause();
    expect(timers.pending()).toBe(0);
    pacer.resume();
    expect(timers.pending()).toBe(1);
    timers.advance(3_000);
    expect(fired).toEqual([60_000, 120_000, 180_000]);
    expect(timers.pending()).toBe(1);
    pacer.stop();
    expect(timers.pending()).toBe(0);
  });

  it('runs every timer of one instant in one turn, and several instants behind schedule one per turn', () => {
    const clock = new SimulatedClock(0);
    const timers = fakeTimers();
    const seen: number[] = [];
    for (let i = 1; i <= 5; i++) clock.at(1000 * i, () => seen.push(clock.now()));
    clock.at(1000, () => seen.push(-clock.now()));
    const pacer = new ClockPacer(clock, { speed: Infinity, timers });
    pacer.start();
    timers.advance(0);
    expect(seen).toEqual([1000, -1000, 2000, 3000, 4000, 5000]);
    pacer.stop();
  });

  it('a timer callback that pauses and resumes the pacer leaves one chain (two would double the speed)', () => {
    const clock = new SimulatedClock(0);
    const timers = fakeTimers();
    const pacer = new ClockPacer(clock, { speed: 60, timers });
    clock.every(60_000, () => {});
    clock.at(60_000, () => {
      pacer.pause();
      pacer.resume();
    });
    pacer.start();
    timers.advance(1_000);
    expect(timers.pending()).toBe(1);
    pacer.stop();
  });
});

describe('ClockPacer after a seek', () => {
  it('goes on at speed from the seek target', () => {
    const clock = new SimulatedClock(0);
    const timers = fakeTimers();
    const fired: number[] = [];
    clock.every(60_000, () => fired.push(clock.now())); // a bar every minute
    const pacer = new ClockPacer(clock, { speed: 60, timers });
    pacer.start();
    timers.advance(1_000);
    // What ReplayFeed.seek() does: the clock jumps, then the pacer is told.
    const target = 3 * 24 * 3_600_000 + 10 * 60_000;
    clock.advanceTo(target);
    pacer.resync();
    fired.length = 0;
    timers.advance(60_000); // one real minute at 60x: an hour of simulated time
    expect(fired.length).toBeGreaterThanOrEqual(50);
    expect(clock.now()).toBeGreaterThan(target + 50 * 60_000);
    pacer.stop();
  });
});
