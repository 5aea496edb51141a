// The embedded synthetic market: the seeded model of synthetic/model.ts streamed as closed 1-minute
// bars of the NYSE regular session through a simulated clock, holidays and early closes included.
// Always SIMULATED. Same seed and options, same tape, bit for bit.
import type { Bar } from '../../shared/domain';
import { addDays, nyDateKey } from '../calendar/ny-time';
import type { NyseCalendar, TradingSession } from '../calendar/nyse';
import type { CancelTimer, SimulatedClock } from '../engine/clock';
import { ClockPacer, type RealTimers } from '../engine/pacer';
import type { FeedSink, MarketFeed, PacedFeed } from './feed';
import { SyntheticMarketModel, type SymbolProfile, type SyntheticModelParameters } from './synthetic/model';

export {
  DEFAULT_PROFILES,
  DEFAULT_SYNTHETIC_MODEL,
  FULL_SESSION_MINUTES,
  generatedProfile,
  resolveModel,
  SyntheticMarketModel,
  type SymbolProfile,
  type SyntheticModelParameters,
} from './synthetic/model';

const MINUTE = 60_000;

export interface SyntheticMarketOptions {
  symbols: readonly string[];
  seed: number;
  clock: SimulatedClock;
  speed: number;
  /** First simulated date (YYYY-MM-DD, New York); streaming starts at the first session on or after it. */
  startDate: string;
  calendar: NyseCalendar;
  /** Complete sessions generated before the first streamed one, for chart history and prior closes (default 1). */
  historySessions?: number;
  /** 'realtime' paces the clock at `speed`; 'manual' leaves the clock to the caller (batch jobs, tests). */
  drive?: 'realtime' | 'manual';
  timers?: RealTimers;
  /** Overrides of DEFAULT_SYNTHETIC_MODEL, checked together. */
  model?: Partial<SyntheticModelParameters>;
  /** Profiles replacing or adding to DEFAULT_PROFILES; other unknown symbols get a seeded plausible one. */
  profiles?: Readonly<Record<string, SymbolProfile>>;
}

/** The latest trading session's date on or before the New York date of `utcMs` (a default start date). */
export function latestSessionDate(calendar: NyseCalendar, utcMs: number): string {
  const today = nyDateKey(utcMs);
  return calendar.isTradingDay(today) ? today : calendar.sessionBefore(today).date;
}

const sessionMinutes = (s: TradingSession): number => Math.round((s.close - s.open) / MINUTE);

export class SyntheticMarket implements MarketFeed, PacedFeed {
  readonly id = 'synthetic';
  readonly label = 'Synthetic market (SIMULATED)';
  readonly simulated = true;
  /** The first streamed session (on or after startDate); the clock must not be past its open at start. */
  readonly firstSession: TradingSession;

  private readonly model: SyntheticMarketModel;
  private readonly pacer: ClockPacer;
  private historyBars: Bar[] | null = null;
  private sink: FeedSink | null = null;
  private cancelNext: CancelTimer | null = null;
  /** The session being streamed and the next bar to publish; null until the first start. */
  private session: TradingSession | null = null;
  private minutes = 0;
  private minuteOfSession = 0;

  constructor(private readonly options: SyntheticMarketOptions) {
    const history = options.historySessions ?? 1;
    if (!Number.isInteger(history) || history < 0) throw new RangeError(`historySessions must be a whole number ≥ 0, got ${history}`);
    this.firstSession = options.calendar.sessionOnOrAfter(options.startDate);
    this.model = new SyntheticMarketModel({
      symbols: options.symbols,
      seed: options.seed,
      ...(options.model ? { model: options.model } : {}),
      ...(options.profiles ? { profiles: options.profiles } : {}),
    });
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
   * The complete sessions before the first streamed one, oldest first: what a chart shows on opening
   * and the prior close a watchlist's change is measured from. Generated once, before the stream, so
   * the streamed tape is the same whether or not this is called.
   */
  history(): Bar[] {
    return [...this.ensureHistory()];
  }

  async start(sink: FeedSink): Promise<void> {
    this.ensureHistory();
    this.sink = sink;
    sink.health('connecting', 'generating the synthetic session');
    if (this.session === null) {
      const open = this.firstSession.open;
      if (this.options.clock.now() > open) {
        throw new RangeError(`simulated clock (${new Date(this.options.clock.now()).toISOString()}) is past the first session open`);
      }
      this.openSession(this.firstSession);
    }
    // A restart after stop() picks up at the bar that was pending; it is published late, never early.
    this.scheduleBar();
    if ((this.options.drive ?? 'realtime') === 'realtime') this.pacer.start();
    sink.health('live', `streaming ${this.model.symbols.length} symbols at ${this.pacer.speed}× (SIMULATED)`);
  }

  async stop(): Promise<void> {
    this.pacer.stop();
    this.cancelNext?.();
    this.cancelNext = null;
    this.sink?.health('stopped', 'stopped');
    this.sink = null;
  }

  private ensureHistory(): Bar[] {
    if (this.historyBars) return this.historyBars;
    const sessions: TradingSession[] = [];
    let before = this.firstSession.date;
    for (let i = 0; i < (this.options.historySessions ?? 1); i++) {
      const s = this.options.calendar.sessionBefore(before);
      sessions.unshift(s);
      before = s.date;
    }
    const out: Bar[] = [];
    for (const s of sessions) {
      const n = sessionMinutes(s);
      this.model.openSession(n);
      for (let m = 0; m < n; m++) for (const bar of this.model.minute(s.open + m * MINUTE, m)) out.push(bar);
    }
    this.historyBars = out;
    return out;
  }

  private openSession(session: TradingSession): void {
    this.session = session;
    this.minutes = sessionMinutes(session);
    this.minuteOfSession = 0;
    this.model.openSession(this.minutes);
  }

  private scheduleBar(): void {
    const barStart = this.session!.open + this.minuteOfSession * MINUTE;
    // A bar is published when it closes: at start + 1 minute, never before.
    this.cancelNext = this.options.clock.at(barStart + MINUTE, () => this.emitBar(barStart));
  }

  private emitBar(barStart: number): void {
    const sink = this.sink;
    if (!sink) return;
    const bars = this.model.minute(barStart, this.minuteOfSession);
    this.minuteOfSession++;
    if (this.minuteOfSession >= this.minutes) {
      this.openSession(this.options.calendar.sessionOnOrAfter(addDays(this.session!.date, 1)));
    }
    this.scheduleBar();
    for (const bar of bars) sink.bar(bar);
  }
}
