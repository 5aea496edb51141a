// Shared pieces of the vendor stream tests: a sink that records everything, a live clock set to a
// chosen market instant, a clock the test steps by hand, seeded jitter, a fetch that refuses any host
// but loopback, and a poller.
import type { FeedSink } from '../../../src/main/data/feed';
import { LiveClock, SimulatedClock, type CancelTimer, type Clock } from '../../../src/main/engine/clock';
import { SeededRandom } from '../../../src/main/engine/random';
import type { Bar, FeedHealthState, QuoteTick, Trade, TradeCorrection, TradingStatus } from '../../../src/shared/domain';

export const MINUTE = 60_000;

/** Monday 2025-03-03 10:10:30 New York (EST): inside the regular session. */
export const MARKET_NOW = Date.UTC(2025, 2, 3, 15, 10, 30);
/** Saturday 2025-03-08 12:00 New York: the market is closed. */
export const WEEKEND_NOW = Date.UTC(2025, 2, 8, 17, 0, 0);
/** The minute starting at New York 10:mm on MARKET_NOW's day. */
export const at10 = (mm: number): number => Date.UTC(2025, 2, 3, 15, mm);

export interface RecordingSink extends FeedSink {
  bars: Bar[];
  healthLog: Array<{ state: FeedHealthState; detail: string }>;
  trades: Trade[];
  corrections: TradeCorrection[];
  quotes: QuoteTick[];
  statuses: TradingStatus[];
  drops: Array<{ reason: string; detail: string }>;
  states(): FeedHealthState[];
  lastHealth(): { state: FeedHealthState; detail: string } | undefined;
  dropped(reason: string, detail: string): void;
}

export function recordingSink(): RecordingSink {
  const sink: RecordingSink = {
    bars: [],
    healthLog: [],
    trades: [],
    corrections: [],
    quotes: [],
    statuses: [],
    drops: [],
    bar: (b) => sink.bars.push(b),
    health: (state, detail) => sink.healthLog.push({ state, detail }),
    trade: (t) => sink.trades.push(t),
    tradeCorrection: (c) => sink.corrections.push(c),
    quote: (q) => sink.quotes.push(q),
    status: (s) => sink.statuses.push(s),
    dropped: (reason, detail) => sink.drops.push({ reason, detail }),
    states: () => sink.healthLog.map((h) => h.state),
    lastHealth: () => sink.healthLog[sink.healthLog.length - 1],
  };
  return sink;
}

/** Real time, read as if it were `start`: timers run at wall speed, the calendar sees market hours. */
export function clockAt(start: number): LiveClock {
  const realStart = Date.now();
  return new LiveClock(() => start + (Date.now() - realStart));
}

/**
 * A clock that moves only when the test calls `advanceBy`, presented as live (a vendor stream accepts
 * only a live clock). The stream's reconnect, session, watchdog and ping timers fire inside `advanceBy`,
 * synchronously, so a test can run many backoff periods at once and then check what happened, or
 * did not, with no sleep. Sockets and fetches stay real.
 */
export class SteppedClock implements Clock {
  readonly kind = 'live' as const;
  private readonly sim: SimulatedClock;

  constructor(start: number) {
    this.sim = new SimulatedClock(start);
  }

  now(): number {
    return this.sim.now();
  }

  at(at: number, fn: () => void): CancelTimer {
    return this.sim.at(at, fn);
  }

  every(periodMs: number, fn: () => void): CancelTimer {
    return this.sim.every(periodMs, fn);
  }

  /** Moves time on by `ms`, firing every timer due on the way. */
  advanceBy(ms: number): void {
    this.sim.advanceBy(ms);
  }

  /** When the next timer is due; null when nothing is scheduled. */
  nextTimerAt(): number | null {
    return this.sim.nextTimerAt();
  }
}

export function seededRandom(seed: number): () => number {
  const rng = new SeededRandom(seed);
  return () => rng.next();
}

/** Global fetch, refusing anything but 127.0.0.1 so a test can never reach a real vendor. */
export const loopbackFetch: typeof fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.hostname !== '127.0.0.1') throw new Error(`test fetch refused a non-loopback host: ${url.hostname}`);
  return fetch(input, init);
};

/** Polls until `check` is true; fails with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Test timings: fast reconnects, deterministic jitter (a fresh generator per feed). */
export function fast() {
  return {
    backoff: { baseMs: 20, capMs: 100 },
    random: seededRandom(7),
    sessionTimeoutMs: 2_000,
    connectionLimitRetryMs: 300,
    backfillTimeoutMs: 2_000,
    fetch: loopbackFetch,
  };
}
