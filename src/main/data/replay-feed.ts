// Replays stored history through the simulated clock: each 1-minute bar is published when it closes
// (start + 1 minute), all symbols in time order, at a chosen speed (1× … as fast as possible), with
// pause, resume and seek forward to a day. The backtester and simulated sessions use it.
import type { Bar } from '../../shared/domain';
import type { NyseCalendar, TradingSession } from '../calendar/nyse';
import type { CancelTimer, SimulatedClock } from '../engine/clock';
import { ClockPacer, type RealTimers } from '../engine/pacer';
import type { BarColumns, HistoryStore } from '../store/history-store';
import { PART_CODE } from '../store/history-store';
import type { FeedSink, MarketFeed, PacedFeed } from './feed';

const MINUTE = 60_000;

export interface ReplayOptions {
  store: HistoryStore;
  calendar: NyseCalendar;
  symbols: readonly string[];
  /** First and last New York dates replayed (inclusive). */
  from: string;
  to: string;
  clock: SimulatedClock;
  speed: number;
  /** Which parts of the day to replay (default: the regular session only). */
  parts?: ReadonlyArray<'pre' | 'regular' | 'post'>;
  drive?: 'realtime' | 'manual';
  timers?: RealTimers;
}

/** Where a replay over [from, to] must start its simulated clock. */
export function replayStart(calendar: NyseCalendar, from: string): number {
  return calendar.sessionOnOrAfter(from).preOpen;
}

export class ReplayFeed implements MarketFeed, PacedFeed {
  readonly id = 'replay';
  readonly label: string;
  readonly simulated = true;

  private readonly pacer: ClockPacer;
  /** The trading sessions replayed, and which one's bars are loaded (one session in memory at a time). */
  private sessions: TradingSession[] = [];
  private sessionIndex = -1;
  private columns: BarColumns[] = [];
  /** Merged order of the loaded session's bars: symbol index and row, sorted by start then symbol. */
  private orderSymbol = new Uint16Array(0);
  private orderRow = new Uint32Array(0);
  private cursor = 0;
  private sink: FeedSink | null = null;
  private cancelNext: CancelTimer | null = null;
  private readonly allowedParts: Set<number>;
  private emitted = 0;
  private total = 0;

  constructor(private readonly options: ReplayOptions) {
    this.label = `Replay ${options.from} → ${options.to} (SIMULATED)`;
    this.allowedParts = new Set((options.parts ?? ['regular']).map((p) => PART_CODE[p]));
    this.pacer = new ClockPacer(options.clock, { speed: options.speed, ...(options.timers ? { timers: options.timers } : {}) });
  }

  get speed(): number {
    return this.pacer.speed;
  }
  get paused(): boolean {
    return this.pacer.paused;
  }
  get barsEmitted(): number {
    return this.emitted;
  }
  /** Stored bars of the replayed days (every part of the day: an upper bound when only the regular session is replayed). */
  get barsTotal(): number {
    return this.total;
  }
  /** True once the last stored bar has been published. */
  get finished(): boolean {
    return this.sessions.length > 0 && this.sessionIndex >= this.sessions.length;
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

  /** The stored session before `from`, for chart context and prior closes. */
  history(): Bar[] {
    const { calendar, store } = this.options;
    const prev = calendar.sessionBefore(calendar.sessionOnOrAfter(this.options.from).date);
    const out: Bar[] = [];
    for (const symbol of this.options.symbols) {
      for (const b of store.loadBars(symbol, '1m', prev.preOpen, prev.postClose)) {
        if (this.allowedParts.has(PART_CODE[b.part])) out.push({ symbol, timeframe: '1m', start: b.start, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume });
      }
    }
    return out.sort((a, b) => a.start - b.start);
  }

  async start(sink: FeedSink): Promise<void> {
    this.sink = sink;
    sink.health('connecting', 'loading history');
    const { calendar, store, clock } = this.options;
    const first = calendar.sessionOnOrAfter(this.options.from);
    const lastDay = calendar.sessionBefore(addOneDay(this.options.to));
    if (lastDay.date < first.date) throw new RangeError(`no trading session between ${this.options.from} and ${this.options.to}`);
    this.sessions = calendar.tradingDays(first.date, lastDay.date).map((d) => calendar.session(d)!);
    const counts = this.options.symbols.map((s) => store.dayCounts(s, '1m', first.date, lastDay.date));
    const missing = this.options.symbols.filter((_, i) => counts[i]!.size === 0);
    if (missing.length === this.options.symbols.length) {
      throw new RangeError(`no stored bars for ${missing.join(', ')} between ${this.options.from} and ${this.options.to}; import history first`);
    }
    // Stored bars per day include the pre- and post-market ones; a replay of the regular session counts
    // at most its minutes of each day (the progress bar's total; exact once each day is loaded).
    const regularOnly = this.allowedParts.size === 1 && this.allowedParts.has(PART_CODE.regular);
    this.total = 0;
    for (const s of this.sessions) {
      const minutes = Math.round((s.close - s.open) / MINUTE);
      for (const c of counts) this.total += regularOnly ? Math.min(minutes, c.get(s.date) ?? 0) : c.get(s.date) ?? 0;
    }
    if (clock.now() > first.preOpen) throw new RangeError('the simulated clock is already past the start of the replay');
    this.sessionIndex = -1;
    this.nextSession();
    this.scheduleNext();
    if ((this.options.drive ?? 'realtime') === 'realtime') this.pacer.start();
    const note = missing.length > 0 ? `; no stored bars for ${missing.join(', ')}` : '';
    sink.health('live', `replaying ${this.sessions.length} sessions of ${this.options.symbols.length - missing.length} symbols at ${this.pacer.speed}×${note}`);
  }

  async stop(): Promise<void> {
    this.pacer.stop();
    this.cancelNext?.();
    this.cancelNext = null;
    this.sink?.health('stopped', 'stopped');
    this.sink = null;
  }

  /** Jumps forward to the first bar of `date`'s session (the clock cannot go back: start a new replay for that). */
  seek(date: string): void {
    const session = this.options.calendar.sessionOnOrAfter(date);
    const target = session.preOpen;
    if (target < this.options.clock.now()) {
      throw new RangeError(`cannot seek back to ${date}: the replay is already at ${new Date(this.options.clock.now()).toISOString()}; start a new replay`);
    }
    this.cancelNext?.();
    while (this.sessionIndex < this.sessions.length && this.sessions[this.sessionIndex]!.postClose <= target) this.nextSession();
    while (this.cursor < this.orderRow.length && this.startAt(this.cursor) < target) this.cursor++;
    this.options.clock.advanceTo(target);
    this.scheduleNext();
    this.pacer.resync();
  }

  private startAt(i: number): number {
    return this.columns[this.orderSymbol[i]!]!.start[this.orderRow[i]!]!;
  }

  /** Loads the next session's bars of every symbol (memory stays one session, whatever the span). */
  private nextSession(): void {
    this.sessionIndex++;
    this.cursor = 0;
    const session = this.sessions[this.sessionIndex];
    if (!session) {
      this.columns = [];
      this.orderSymbol = new Uint16Array(0);
      this.orderRow = new Uint32Array(0);
      return;
    }
    this.columns = this.options.symbols.map((s) => this.options.store.loadColumns(s, '1m', session.preOpen, session.postClose));
    this.buildOrder();
  }

  private buildOrder(): void {
    let n = 0;
    const keep: Array<Uint32Array> = this.columns.map((c) => {
      const rows: number[] = [];
      for (let i = 0; i < c.length; i++) if (this.allowedParts.has(c.part[i]!)) rows.push(i);
      n += rows.length;
      return Uint32Array.from(rows);
    });
    this.orderSymbol = new Uint16Array(n);
    this.orderRow = new Uint32Array(n);
    // k-way merge by (start, symbol index): deterministic order for bars of the same minute.
    const pos = new Array<number>(keep.length).fill(0);
    for (let k = 0; k < n; k++) {
      let best = -1;
      let bestStart = Infinity;
      for (let s = 0; s < keep.length; s++) {
        const p = pos[s]!;
        if (p >= keep[s]!.length) continue;
        const st = this.columns[s]!.start[keep[s]![p]!]!;
        if (st < bestStart) {
          bestStart = st;
          best = s;
        }
      }
      this.orderSymbol[k] = best;
      this.orderRow[k] = keep[best]![pos[best]!]!;
      pos[best]!++;
    }
  }

  private scheduleNext(): void {
    while (this.cursor >= this.orderRow.length && this.sessionIndex < this.sessions.length) this.nextSession();
    if (this.sessionIndex >= this.sessions.length) {
      this.sink?.health('stopped', `replay finished: ${this.emitted} bars`);
      return;
    }
    const start = this.startAt(this.cursor);
    // A bar is published when it closes, never before.
    this.cancelNext = this.options.clock.at(start + MINUTE, () => this.emitGroup(start));
  }

  private emitGroup(start: number): void {
    const sink = this.sink;
    if (!sink) return;
    while (this.cursor < this.orderRow.length && this.startAt(this.cursor) === start) {
      const c = this.columns[this.orderSymbol[this.cursor]!]!;
      const r = this.orderRow[this.cursor]!;
      this.cursor++;
      this.emitted++;
      sink.bar({ symbol: c.symbol, timeframe: '1m', start, open: c.open[r]!, high: c.high[r]!, low: c.low[r]!, close: c.close[r]!, volume: c.volume[r]! });
    }
    this.scheduleNext();
  }
}

function addOneDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
