// Reconnect delays for the vendor streams: capped exponential backoff with full jitter, so a fleet of
// clients dropped together by a vendor outage does not reconnect in lockstep. Randomness is injected
// (a seeded generator in tests) so the delays replay exactly.

export interface BackoffPolicy {
  /** Upper bound of the first delay (ms); attempt n draws from [0, min(capMs, baseMs * 2^n)). */
  baseMs: number;
  /** Largest upper bound (ms), reached after a few failures in a row. */
  capMs: number;
}

/** 500 ms, doubling up to 30 s: quick after a blip, gentle on a vendor that is down. */
export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ baseMs: 500, capMs: 30_000 });

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    /** Uniform in [0, 1); `Math.random` in production, a seeded generator in tests. */
    private readonly random: () => number = Math.random,
  ) {
    if (!(policy.baseMs > 0) || !(policy.capMs >= policy.baseMs)) {
      throw new RangeError(`backoff needs 0 < baseMs <= capMs, got base ${policy.baseMs} cap ${policy.capMs}`);
    }
  }

  /** Failures in a row since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The ceiling the next delay is drawn under. */
  ceiling(): number {
    // 2^attempt overflows to Infinity long after the cap is reached; min() keeps it finite.
    return Math.min(this.policy.capMs, this.policy.baseMs * 2 ** this.attempt);
  }

  /** The delay before the next attempt, in whole ms; counts the attempt. */
  next(): number {
    const delay = Math.floor(this.random() * this.ceiling());
    this.attempt++;
    return delay;
  }

  /** After a connection that held: the next failure starts from the base again. */
  reset(): void {
    this.attempt = 0;
  }
}
