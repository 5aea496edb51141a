// The foundation's embedded synthetic market: a seeded random walk with a market factor, U-shaped
// intraday volatility and volume, overnight gaps and tick-rounded prices, streaming 1-minute bars
// of the regular session through a simulated clock. Always SIMULATED. The market-data layer's
// synthetic generator replaces it behind the same MarketFeed seam.
import type { Bar } from '../../shared/domain';
import { addDays, nyDateKey, nyWallToUtc, parseDateKey, weekdayOf } from '../calendar/ny-time';
import type { CancelTimer, SimulatedClock } from '../engine/clock';
import { ClockPacer, type RealTimers } from '../engine/pacer';
import { SeededRandom } from '../engine/random';
import type { FeedSink, MarketFeed, PacedFeed } from './feed';

const MINUTE = 60_000;
const SESSION_MINUTES = 390;
const TICK = 0.01;

interface SymbolProfile {
  price: number;
  /** Daily volatility of returns. */
  dailyVol: number;
  beta: number;
  /** Average shares per regular session. */
  dailyVolume: number;
}

/** Rough mid-2020s levels, so prices and volumes look like the names on the screen. */
const PROFILES: Record<string, SymbolProfile> = {
  SPY: { price: 590, dailyVol: 0.009, beta: 1, dailyVolume: 60e6 },
  QQQ: { price: 510, dailyVol: 0.012, beta: 1.2, dailyVolume: 40e6 },
  AAPL: { price: 230, dailyVol: 0.015, beta: 1.1, dailyVolume: 50e6 },
  MSFT: { price: 420, dailyVol: 0.014, beta: 1.0, dailyVolume: 20e6 },
  NVDA: { price: 140, dailyVol: 0.03, beta: 1.7, dailyVolume: 250e6 },
  AMZN: { price: 200, dailyVol: 0.019, beta: 1.2, dailyVolume: 40e6 },
  META: { price: 590, dailyVol: 0.021, beta: 1.3, dailyVolume: 15e6 },
  GOOGL: { price: 175, dailyVol: 0.017, beta: 1.1, dailyVolume: 25e6 },
  TSLA: { price: 350, dailyVol: 0.035, beta: 1.8, dailyVolume: 90e6 },
  AMD: { price: 140, dailyVol: 0.03, beta: 1.6, dailyVolume: 45e6 },
};

function profileFor(symbol: string, rng: SeededRandom): SymbolProfile {
  return (
    PROFILES[symbol] ?? {
      price: Math.round((20 + rng.next() * 300) * 100) / 100,
      dailyVol: 0.015 + rng.next() * 0.02,
      beta: 0.7 + rng.next() * 0.8,
      dailyVolume: 5e6 + rng.next() * 20e6,
    }
  );
}

const roundTick = (p: number): number => Math.max(TICK, Math.round(p / TICK) * TICK);
const round2 = (p: number): number => Math.round(p * 100) / 100;

/** Intraday shape: more volatility and volume near the open and the close. */
function uShape(minuteOfSession: number, open: number, close: number): number {
  return 1 + open * Math.exp(-minuteOfSession / 25) + close * Math.exp(-(SESSION_MINUTES - 1 - minuteOfSession) / 25);
}

interface SymbolState {
  symbol: string;
  profile: SymbolProfile;
  rng: SeededRandom;
  close: number;
}

export interface ToyMarketOptions {
  symbols: readonly string[];
  seed: number;
  clock: SimulatedClock;
  speed: number;
  /** First simulated session (YYYY-MM-DD, New York); its 09:30 is where the clock should start. */
  startDate: string;
  /** Complete sessions generated before the first streamed one, for chart history and prior closes. */
  historySessions?: number;
  /** 'realtime' paces the clock at `speed`; 'manual' leaves the clock to the caller (batch jobs, tests). */
  drive?: 'realtime' | 'manual';
  timers?: RealTimers;
}

/** The latest weekday on or before the New York date of `utcMs` (the toy market knows no holidays). */
export function latestWeekday(utcMs: number): string {
  let key = nyDateKey(utcMs);
  while (weekdayOf(key) === 0 || weekdayOf(key) === 6) key = addDays(key, -1);
  return key;
}

export function nextWeekday(key: string): string {
  let next = addDays(key, 1);
  while (weekdayOf(next) === 0 || weekdayOf(next) === 6) next = addDays(next, 1);
  return next;
}

export function previousWeekday(key: string): string {
  let prev = addDays(key, -1);
  while (weekdayOf(prev) === 0 || weekdayOf(prev) === 6) prev = addDays(prev, -1);
  return prev;
}

export function sessionOpenUtc(dateKey: string): number {
  const { year, month, day } = parseDateKey(dateKey);
  return nyWallToUtc(year, month, day, 9, 30);
}

export class ToyMarket implements MarketFeed, PacedFeed {
  readonly id = 'toy-synthetic';
  readonly label = 'Synthetic market (SIMULATED)';
  readonly simulated = true;

  private readonly states: SymbolState[];
  private readonly marketRng: SeededRandom;
  private readonly pacer: ClockPacer;
  private sink: FeedSink | null = null;
  private cancelNext: CancelTimer | null = null;
  private sessionDate: string;
  private minuteOfSession = 0;
  private marketVolState = 1;

  constructor(private readonly options: ToyMarketOptions) {
    const root = new SeededRandom(options.seed);
    this.marketRng = root.fork(0);
    this.states = options.symbols.map((symbol, i) => {
      const rng = root.fork(i + 1);
      const profile = profileFor(symbol, rng);
      return { symbol, profile, rng, close: profile.price };
    });
    this.sessionDate = options.startDate;
    this.pacer = new ClockPacer(options.clock, { speed: options.speed, ...(options.timers ? { timers: options.timers } : {}) });
  }

  get speed(): number {
    return this.pacer.speed;
  }
  get paused(): boolean {
    return this.pacer.paused;
  }
  setSpeed(speed: number): void {
    this.pacer.setSpeed(speed);
  }
  pause(): void {
    this.pacer.pause();
  }
  resume(): void {
    this.pacer.resume();
  }

  /**
   * Complete sessions before the start date, generated at once from the same seeded stream:
   * what a chart shows on opening, and the prior close a watchlist's change is measured from.
   */
  history(): Bar[] {
    const sessions = this.options.historySessions ?? 1;
    const dates: string[] = [];
    let d = this.options.startDate;
    for (let i = 0; i < sessions; i++) {
      d = previousWeekday(d);
      dates.unshift(d);
    }
    const out: Bar[] = [];
    for (const date of dates) {
      this.overnightGap();
      const open = sessionOpenUtc(date);
      for (let m = 0; m < SESSION_MINUTES; m++) out.push(...this.generateMinute(open + m * MINUTE, m));
    }
    return out;
  }

  async start(sink: FeedSink): Promise<void> {
    this.sink = sink;
    sink.health('connecting', 'generating the synthetic session');
    this.sessionDate = this.options.startDate;
    this.minuteOfSession = 0;
    const open = sessionOpenUtc(this.sessionDate);
    if (this.options.clock.now() > open) {
      throw new RangeError(`simulated clock (${new Date(this.options.clock.now()).toISOString()}) is past the first session open`);
    }
    this.overnightGap();
    this.scheduleMinute(open);
    if ((this.options.drive ?? 'realtime') === 'realtime') this.pacer.start();
    sink.health('live', `streaming ${this.states.length} symbols at ${this.pacer.speed}× (SIMULATED)`);
  }

  async stop(): Promise<void> {
    this.pacer.stop();
    this.cancelNext?.();
    this.cancelNext = null;
    this.sink?.health('stopped', 'stopped');
    this.sink = null;
  }

  private scheduleMinute(barStart: number): void {
    // A bar is published when it closes: at start + 1 minute, never before.
    this.cancelNext = this.options.clock.at(barStart + MINUTE, () => this.emitMinute(barStart));
  }

  private emitMinute(barStart: number): void {
    const sink = this.sink;
    if (!sink) return;
    for (const bar of this.generateMinute(barStart, this.minuteOfSession)) sink.bar(bar);
    this.minuteOfSession++;
    if (this.minuteOfSession < SESSION_MINUTES) {
      this.scheduleMinute(barStart + MINUTE);
    } else {
      this.sessionDate = nextWeekday(this.sessionDate);
      this.minuteOfSession = 0;
      this.overnightGap();
      this.scheduleMinute(sessionOpenUtc(this.sessionDate));
    }
  }

  private overnightGap(): void {
    const marketGap = this.marketRng.normal() * 0.006;
    for (const s of this.states) {
      const gap = s.profile.beta * marketGap + s.rng.normal() * s.profile.dailyVol * 0.3;
      s.close = roundTick(s.close * Math.exp(gap));
    }
  }

  private generateMinute(barStart: number, minuteOfSession: number): Bar[] {
    // Volatility clustering on the market factor: a slowly mean-reverting multiplier.
    this.marketVolState = Math.max(0.4, Math.min(3, this.marketVolState + 0.05 * (1 - this.marketVolState) + 0.08 * this.marketRng.normal()));
    const shape = uShape(minuteOfSession, 1.6, 0.9);
    const marketMove = this.marketRng.normal() * (0.009 / Math.sqrt(SESSION_MINUTES)) * shape * this.marketVolState;
    const bars: Bar[] = [];
    for (const s of this.states) {
      const minuteVol = (s.profile.dailyVol / Math.sqrt(SESSION_MINUTES)) * shape * this.marketVolState;
      // Four sub-steps trace the path inside the bar, for honest highs and lows.
      const open = s.close;
      let price = open;
      let high = open;
      let low = open;
      for (let k = 0; k < 4; k++) {
        const idio = s.rng.normal() * minuteVol * 0.5 * Math.sqrt(1 - Math.min(0.8, s.profile.beta * 0.4));
        price *= Math.exp((s.profile.beta * marketMove) / 4 + idio);
        high = Math.max(high, price);
        low = Math.min(low, price);
      }
      const close = roundTick(price);
      const volumeMean = (s.profile.dailyVolume / SESSION_MINUTES) * uShape(minuteOfSession, 2.5, 2.0) / 1.35;
      const volume = Math.max(100, Math.round((volumeMean * Math.exp(0.5 * s.rng.normal() - 0.125)) / 100) * 100);
      bars.push({
        symbol: s.symbol,
        timeframe: '1m',
        start: barStart,
        open: round2(open),
        high: round2(Math.max(roundTick(high), open, close)),
        low: round2(Math.min(roundTick(low), open, close)),
        close: round2(close),
        volume,
      });
      s.close = close;
    }
    return bars;
  }
}
