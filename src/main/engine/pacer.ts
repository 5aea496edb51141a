// Drives a simulated clock against real time at a chosen speed (simulated ms per real ms), so the
// synthetic market and replay stream "faster than real time". Long idle stretches (nights, weekends)
// are skipped at once rather than waited out. Infinity means as fast as the CPU allows.
import type { SimulatedClock } from './clock';

export interface RealTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Runs `fn` on the next turn of the event loop, after pending I/O and promise callbacks (default: a 0 ms timeout). */
  setImmediate?(fn: () => void): unknown;
  clearImmediate?(handle: unknown): void;
}

export const nodeTimers: RealTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setImmediate: (fn) => setImmediate(fn),
  clearImmediate: (h) => clearImmediate(h as ReturnType<typeof setImmediate>),
};

export interface PacerOptions {
  speed: number;
  /** A gap to the next event longer than this (simulated ms) is jumped over. */
  maxIdleGapMs?: number;
  timers?: RealTimers;
}

export class ClockPacer {
  private speedValue: number;
  private pausedValue = false;
  private running = false;
  private handle: unknown = null;
  private immediate = false;
  private anchorReal = 0;
  private anchorSim = 0;
  private readonly maxIdleGapMs: number;
  private readonly timers: RealTimers;

  constructor(
    private readonly clock: SimulatedClock,
    options: PacerOptions,
  ) {
    this.speedValue = ClockPacer.checkSpeed(options.speed);
    this.maxIdleGapMs = options.maxIdleGapMs ?? 15 * 60_000;
    this.timers = options.timers ?? nodeTimers;
  }

  get speed(): number {
    return this.speedValue;
  }

  get paused(): boolean {
    return this.pausedValue;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.reanchor();
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    this.cancel();
  }

  setSpeed(speed: number): void {
    this.speedValue = ClockPacer.checkSpeed(speed);
    this.reanchor();
    this.reschedule();
  }

  pause(): void {
    this.pausedValue = true;
    this.cancel();
  }

  resume(): void {
    if (!this.pausedValue) return;
    this.pausedValue = false;
    this.reanchor();
    this.reschedule();
  }

  private static checkSpeed(speed: number): number {
    if (!(speed >= 1)) throw new RangeError(`speed must be ≥ 1 (simulated per real), got ${speed}`);
    return speed;
  }

  private reanchor(): void {
    this.anchorReal = this.timers.now();
    this.anchorSim = this.clock.now();
  }

  private cancel(): void {
    if (this.handle !== null) {
      if (this.immediate && this.timers.clearImmediate) this.timers.clearImmediate(this.handle);
      else this.timers.clearTimeout(this.handle);
    }
    this.handle = null;
  }

  private reschedule(): void {
    if (!this.running || this.pausedValue) return;
    this.cancel();
    this.schedule(0);
  }

  /** Time jumped outside the pacer (a replay's seek): real time restarts from the clock's new time. */
  resync(): void {
    this.reanchor();
    this.reschedule();
  }

  private schedule(ms: number): void {
    this.cancel(); // one chain of ticks, whatever called (a pause and resume from inside a tick included)
    const run = (): void => {
      this.handle = null;
      this.tick();
    };
    this.immediate = ms === 0 && this.timers.setImmediate !== undefined;
    this.handle = this.immediate ? this.timers.setImmediate!(run) : this.timers.setTimeout(run, ms);
  }

  private targetSim(realNow: number): number {
    if (this.speedValue === Infinity) return Infinity;
    return this.anchorSim + (realNow - this.anchorReal) * this.speedValue;
  }

  private tick(): void {
    if (!this.running || this.pausedValue) return;
    const next = this.clock.nextTimerAt();
    if (next === null) {
      this.schedule(100);
      return;
    }
    const realNow = this.timers.now();
    let target = this.targetSim(realNow);
    if (next > target && next - this.clock.now() > this.maxIdleGapMs) {
      // Nothing happens until `next`: jump there instead of idling through the night.
      this.anchorReal = realNow;
      this.anchorSim = next;
      target = next;
    }
    if (next > target) {
      const waitMs = Math.min(250, Math.max(1, (next - target) / this.speedValue));
      // Advance the clock to where real time says it is, so now() moves smoothly between events.
      if (Number.isFinite(target) && target > this.clock.now()) this.clock.advanceTo(Math.floor(target));
      this.schedule(waitMs);
      return;
    }
    this.clock.advanceTo(next);
    if (!this.running || this.pausedValue) return;
    // Behind schedule: do not pile up a backlog, let the trader see time slip instead.
    if (Number.isFinite(target) && target - this.clock.now() > 1_000 * this.speedValue) this.reanchor();
    // One due time per turn of the event loop: what a bar set off (an approval, an order submitted, a
    // minute's scoring) settles before the next bar, at any speed, as in a backtest.
    this.schedule(0);
  }
}
