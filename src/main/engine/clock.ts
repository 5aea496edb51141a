// Time for the whole engine. Components read time only from an injected Clock: the live clock in
// live and paper trading, the simulated clock when replay, the synthetic market or a backtest drives it.

export type CancelTimer = () => void;

export interface Clock {
  readonly kind: 'live' | 'simulated';
  /** Epoch milliseconds UTC. */
  now(): number;
  /** Runs `fn` once at or after `at` (clock time). */
  at(at: number, fn: () => void): CancelTimer;
  /** Runs `fn` every `periodMs` of clock time, first after one period. */
  every(periodMs: number, fn: () => void): CancelTimer;
}

export class LiveClock implements Clock {
  readonly kind = 'live' as const;
  constructor(private readonly wall: () => number = Date.now) {}

  now(): number {
    return this.wall();
  }

  at(at: number, fn: () => void): CancelTimer {
    const handle = setTimeout(fn, Math.max(0, at - this.now()));
    return () => clearTimeout(handle);
  }

  every(periodMs: number, fn: () => void): CancelTimer {
    if (!(periodMs > 0)) throw new RangeError(`timer period must be > 0 ms, got ${periodMs}`);
    const handle = setInterval(fn, periodMs);
    return () => clearInterval(handle);
  }
}

interface SimTimer {
  id: number;
  at: number;
  periodMs: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to. `advanceTo(t)` fires every timer due at or before t in time
 * order (ties in scheduling order), with `now()` equal to each timer's own time while it runs,
 * so a callback never sees a time later than the event it handles.
 */
export class SimulatedClock implements Clock {
  readonly kind = 'simulated' as const;
  private current: number;
  private readonly timers: SimTimer[] = [];
  private nextId = 1;

  constructor(start: number) {
    if (!Number.isInteger(start)) throw new RangeError(`simulated clock start must be integer ms, got ${start}`);
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  at(at: number, fn: () => void): CancelTimer {
    return this.add({ id: this.nextId++, at: Math.max(at, this.current), periodMs: 0, fn });
  }

  every(periodMs: number, fn: () => void): CancelTimer {
    if (!(periodMs > 0)) throw new RangeError(`timer period must be > 0 ms, got ${periodMs}`);
    return this.add({ id: this.nextId++, at: this.current + periodMs, periodMs, fn });
  }

  /** The time of the next due timer, or null when none is scheduled. */
  nextTimerAt(): number | null {
    return this.timers.length > 0 ? this.timers[0]!.at : null;
  }

  /** Moves time forward to `target`, firing due timers on the way. Time never goes backwards. */
  advanceTo(target: number): void {
    if (target < this.current) {
      throw new RangeError(`simulated clock cannot go back from ${this.current} to ${target}`);
    }
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.current = next.at;
      if (next.periodMs > 0) {
        next.at += next.periodMs;
        this.insert(next);
      }
      next.fn();
    }
    this.current = target;
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  private add(timer: SimTimer): CancelTimer {
    this.insert(timer);
    return () => {
      const i = this.timers.indexOf(timer);
      if (i >= 0) this.timers.splice(i, 1);
      timer.periodMs = 0; // a periodic timer cancelled from its own callback is not re-inserted
    };
  }

  private insert(timer: SimTimer): void {
    // Sorted by time, then id: deterministic order for timers due at the same instant.
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.timers[mid]!;
      if (t.at < timer.at || (t.at === timer.at && t.id < timer.id)) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
  }
}
