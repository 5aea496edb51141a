// The feature engine for a set of symbols: routes each regular-session bar to its symbol's streaming
// state, keeps SPY and QQQ as the market references, the VIX series and each symbol's daily bars,
// and hands back the feature vector and the chart overlays of that bar. Pre- and post-market bars
// are ignored (the spec is defined on the regular session).
import type { Bar, QuoteTick } from '../../shared/domain';
import type { NyseCalendar } from '../calendar/nyse';
import { nyDateKey } from '../calendar/ny-time';
import { FEATURE_COUNT, FEATURE_SPEC, type FeatureSpecId } from './spec';
import { PairArena } from './pair-kernel';
import { OVERLAY_COUNT, SymbolFeatureState, updateSymbol, type DailyBar, type FeatureOptions, type MarketRefs } from './streaming';
import type { FeatureRow } from '../../shared/messages';
export type { FeatureRow } from '../../shared/messages';

export class FeatureEngine {
  readonly spec: FeatureSpecId = FEATURE_SPEC;
  private readonly states = new Map<string, SymbolFeatureState>();
  /** The symbols' market-context windows, in WebAssembly memory shared by this engine's states. */
  private readonly arena = new PairArena();
  private readonly options: Required<FeatureOptions>;
  /** VIX closes by date, sorted, for the "last close before today" lookup. */
  private vixDates: string[] = [];
  private vixCloses: number[] = [];
  private readonly market: MarketRefs;

  constructor(
    private readonly calendar: NyseCalendar,
    options: FeatureOptions = {},
  ) {
    const gamma = options.gamma ?? 0.5;
    if (!(gamma > 0 && gamma < 1)) throw new RangeError(`Laguerre gamma must be in (0, 1), got ${gamma}`);
    const openingRangeMinutes = options.openingRangeMinutes ?? 30;
    if (!Number.isInteger(openingRangeMinutes) || openingRangeMinutes < 1 || openingRangeMinutes > 120) {
      throw new RangeError(`opening range must be 1-120 minutes, got ${openingRangeMinutes}`);
    }
    this.options = { gamma, openingRangeMinutes };
    // Plain fields, set when SPY's and QQQ's states are created (states are never removed): every
    // bar reads both, and a map lookup per read was a measurable share of the cost per bar.
    this.market = {
      spy: undefined,
      qqq: undefined,
      vixBefore: (date) => this.vixBefore(date),
      spyDaily: (before) => this.states.get('SPY')?.dailyBefore(before) ?? [],
    };
  }

  private state(symbol: string): SymbolFeatureState {
    let st = this.states.get(symbol);
    if (!st) {
      st = new SymbolFeatureState(symbol, this.arena);
      this.states.set(symbol, st);
      if (symbol === 'SPY') this.market.spy = st;
      else if (symbol === 'QQQ') this.market.qqq = st;
    }
    return st;
  }

  /** A symbol's daily bars of sessions before `date` (seeded and streamed), oldest first. */
  dailyBefore(symbol: string, date: string): readonly DailyBar[] {
    return (this.states.get(symbol)?.dailyBefore(date) ?? []).filter((d) => d.date < date);
  }

  /** Daily bars known before the stream starts (from the store's daily table), oldest first. */
  seedDaily(symbol: string, days: readonly DailyBar[]): void {
    const st = this.state(symbol);
    if (st.barCount > 0) throw new Error(`seedDaily(${symbol}) must come before its first bar`);
    st.daily.splice(0, st.daily.length, ...days);
  }

  /** A VIX (or other volatility index) daily close series; a close is used from the next day on. */
  setVix(series: ReadonlyArray<{ date: string; close: number }>): void {
    const sorted = [...series].filter((r) => Number.isFinite(r.close) && r.close > 0).sort((a, b) => (a.date < b.date ? -1 : 1));
    this.vixDates = sorted.map((r) => r.date);
    this.vixCloses = sorted.map((r) => r.close);
  }

  private vixBefore(date: string): number {
    // Binary search for the last date strictly before `date`.
    let lo = 0;
    let hi = this.vixDates.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.vixDates[mid]! < date) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return Number.NaN;
    // A stale VIX (more than 10 calendar days old: a gap in the series) counts as missing (spec).
    const last = this.vixDates[lo - 1]!;
    return Date.parse(date) - Date.parse(last) <= 10 * 86_400_000 ? this.vixCloses[lo - 1]! : Number.NaN;
  }

  /** The latest quote for a symbol (for the bid/ask imbalance of its next bar). */
  onQuote(q: QuoteTick): void {
    this.state(q.symbol).addQuote(q.time, q.bidSize, q.askSize);
  }

  /**
   * Computes the features of a closed bar. Returns null for a bar outside the regular session or
   * older than the symbol's last bar. A bar with the same start as the last one is a correction:
   * the state is rolled back one bar and recomputed with it.
   */
  onBar(bar: Bar, out?: FeatureRow): FeatureRow | null {
    const session = this.calendar.session(nyDateKey(bar.start));
    if (!session || bar.start < session.open || bar.start >= session.close) return null;
    const st = this.state(bar.symbol);
    if (st.barCount > 0) {
      if (bar.start < st.lastStart) return null;
      if (bar.start === st.lastStart && !st.rollback()) return null;
    }
    const row = out ?? { symbol: bar.symbol, start: bar.start, values: new Float64Array(FEATURE_COUNT), overlays: new Float64Array(OVERLAY_COUNT) };
    row.symbol = bar.symbol;
    row.start = bar.start;
    updateSymbol(st, bar, session, this.market, this.options, row.values, row.overlays);
    return row;
  }

  barsSeen(symbol: string): number {
    return this.states.get(symbol)?.barCount ?? 0;
  }
}

export type { DailyBar };
