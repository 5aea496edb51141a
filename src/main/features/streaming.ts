// The streaming feature engine: one O(1)-per-bar state per symbol (fixed rings, no allocation per
// bar), updated as each regular-session 1-minute bar closes, with a replace-last-bar path for
// vendors that correct a bar. The same code runs live, in replay, in backtests and for training
// exports, so a model sees in training exactly what it sees live. Definitions: spec.ts.
import type { Bar } from '../../shared/domain';
import type { NyseCalendar, TradingSession } from '../calendar/nyse';
import { nyDateKey } from '../calendar/ny-time';
import { OVERLAY_KEYS } from '../../shared/contract';
import { PAIR_RING, PAIR_RING_BYTES, PAIR_WINDOW, PairArena, type PairChunk } from './pair-kernel';
import { pushVolume, sortedReplaceScan, upperBound, VOL_WINDOW } from './volume-window';
import { FEATURE_COUNT, FEATURE_INDEX } from './spec';

// Feature slots. An enum, not an object of looked-up indexes: esbuild (tsx) and rolldown (the app
// bundle) inline enum members as literals, and a property load per slot access was a measurable part
// of the cost per bar. The order is the spec's; checked against FEATURE_INDEX when the module loads.
enum I {
  ret_1, ret_5, ret_15, ret_60, rsi_2, rsi_5,
  rsi_14, macd, macd_signal, macd_hist, vwap_dist, bb_pctb,
  bb_width, atr_pct, obv_slope_20, ema_9_dist, ema_20_dist, ema_50_dist,
  sma_9_dist, sma_20_dist, sma_50_dist, rv_10, rv_60, vol_ratio,
  volume_z_20, volume_pctile_390, signed_volume_delta, quote_imbalance, laguerre_dist, laguerre_rsi,
  laguerre_adaptive_dist, support_dist_60, resistance_dist_60, or_high_dist, or_low_dist, or_breakout_up,
  or_breakout_down, gap_pct, minutes_since_open, minutes_to_close, d_ret_1, d_mom_5,
  d_mom_10, d_mom_20, d_atr_14_pct, d_sma_20_dist, d_sma_50_dist, d_dollar_vol_5,
  d_dollar_vol_20, corr_spy_60, beta_spy_60, corr_qqq_60, beta_qqq_60, vix_level,
  vix_is_proxy,
}
for (const [name, at] of Object.entries(FEATURE_INDEX)) {
  if ((I as unknown as Record<string, number>)[name] !== at) throw new Error(`streaming: feature ${name} is #${at} in the spec, not #${(I as unknown as Record<string, number>)[name]}`);
}

/** Chart overlays computed with the features (price levels, not ratios). */
export const OVERLAY_NAMES = OVERLAY_KEYS;
export type OverlayName = (typeof OVERLAY_NAMES)[number];
export const OVERLAY_COUNT = OVERLAY_NAMES.length;
/** Overlay slots (an enum for the same reason as I), checked against OVERLAY_KEYS. */
enum O {
  vwap, bb_upper, bb_middle, bb_lower, laguerre, laguerre_adaptive, support_60, resistance_60, or_high, or_low,
}
OVERLAY_NAMES.forEach((name, at) => {
  if (O[name] !== at) throw new Error(`streaming: overlay ${name} is #${at} in OVERLAY_KEYS, not #${O[name]}`);
});

export interface DailyBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface FeatureOptions {
  /** Laguerre gamma (0 < gamma < 1). */
  gamma?: number;
  /** Minutes in the opening range. */
  openingRangeMinutes?: number;
}

// Window sizes (an enum so that they are literals in the compiled code, like the slots).
enum W {
  RING = 64, // ≥ 61: ret_60 needs close_{t-60}; windows of 60. A power of two: slots by bit mask.
  MASK = RING - 1,
  VOL_WINDOW = 390,
  RET_HIST = 512, // power of two
  PAIR_WINDOW = 60,
}
// The pair windows live in the WebAssembly kernel's memory, laid out for these sizes.
if (W.RING !== PAIR_RING || W.PAIR_WINDOW !== PAIR_WINDOW || W.VOL_WINDOW !== VOL_WINDOW) throw new Error('streaming features: window sizes differ from the pair kernel or the volume window');

// Scalar state slots (snapshotted per bar for the replace-last-bar path); an enum, numbered in order.
enum S {
  n, lastClose, prevSign,
  rsiAg2, rsiAl2, rsiAg5, rsiAl5, rsiAg14, rsiAl14,
  ema9, ema12, ema20, ema26, ema50, sig, sigN,
  sum9, sum20, sum50,
  atr, trSum, obv, volSum20,
  r10, rr10, r60, rr60,
  srLow, srHigh, bbAnchor, bbS, bbSS, volSS20,
  // how many of the window's lows (highs) equal srLow (srHigh)
  srLowN, srHighN,
  lag0, lag1, lag2, lag3,
  alag0, alag1, alag2, alag3,
  sessionOpen, sessionClose, sessionKey,
  vwapPv, vwapV, deltaSv, deltaV,
  orHigh, orLow, orEnd, gap,
  lastStart,
  // market-context running sums over paired returns (x = own, y = index)
  // valid (both returns known) pairs ever pushed per index; the window is the last 60 of them
  spyPairs, qqqPairs,
  // consecutive bars with an unchanged close (σ of a flat window is exactly 0, not rounding noise)
  flatRun,
  // daily context for the current session
  dRet1, dMom5, dMom10, dMom20, dAtr, dSma20, dSma50, dDv5, dDv20,
  vix, vixProxy,
  // the session's own daily bar, built from its regular bars
  dayOpen, dayHigh, dayLow, dayClose, dayVolume,
}
const NS = S.dayVolume + 1;
const RINGS = 9; // closes, highs, lows, volumes, rets, obv, vol390, pair x (spy), pair y (spy) ... see below

/** One symbol's streaming state. */
export class SymbolFeatureState {
  readonly s = new Float64Array(NS);
  private readonly prev = new Float64Array(NS);
  readonly closes = new Float64Array(W.RING);
  readonly highs = new Float64Array(W.RING);
  readonly lows = new Float64Array(W.RING);
  readonly volumes = new Float64Array(W.RING);
  readonly rets = new Float64Array(W.RING);
  readonly obvs = new Float64Array(W.RING);
  readonly starts = new Float64Array(W.RING);
  /** Returns by bar start over a longer span, for other symbols' market context. */
  readonly retHist = new Float64Array(W.RET_HIST);
  readonly startHist = new Float64Array(W.RET_HIST).fill(Number.NaN);
  readonly vol390 = new Float64Array(W.VOL_WINDOW);
  /** The same window kept sorted, for the percentile in O(log n) plus one short memmove. */
  readonly volSorted = new Float64Array(W.VOL_WINDOW);
  /**
   * Set for good once a NaN volume reaches this symbol. A NaN breaks the sorted window's order
   * (it compares false with everything), and from then on the window is kept by the original
   * element-by-element scans, whose outcome on such an array the binary searches would not reproduce.
   */
  volumeNaN = false;
  /** The market-context pair windows, in WebAssembly memory (see PairArena): own/SPY, own/QQQ returns. */
  readonly pairSpyX: Float64Array;
  readonly pairSpyY: Float64Array;
  readonly pairQqqX: Float64Array;
  readonly pairQqqY: Float64Array;
  /** Where the windows are: the arena's chunk and the byte offset of pairSpyX in its memory. */
  readonly pairChunk: PairChunk;
  readonly pairBase: number;
  /** Old values of the ring slots the last bar overwrote, and which slots. */
  private readonly undo = new Float64Array(RINGS + 6);
  private undoPairSlot = -1;
  private undoPairSlotQ = -1;
  private hasUndo = false;
  readonly daily: DailyBar[] = [];
  private dayPushedFor = '';
  /** The session object of the last bar (the calendar hands out one object per day). */
  lastSession: TradingSession | null = null;
  /** Recent quotes (time, bid size, ask size), for the imbalance at a bar's close. */
  readonly quoteTime = new Float64Array(8).fill(Number.NaN);
  readonly quoteBid = new Float64Array(8);
  readonly quoteAsk = new Float64Array(8);
  quoteCount = 0;

  addQuote(time: number, bidSize: number, askSize: number): void {
    const slot = this.quoteCount & 7;
    this.quoteTime[slot] = time;
    this.quoteBid[slot] = bidSize;
    this.quoteAsk[slot] = askSize;
    this.quoteCount++;
  }

  /** Imbalance of the latest quote stamped at or before `at`; NaN when there is none. */
  imbalanceAt(at: number): number {
    let best = -1;
    for (let j = 0; j < 8; j++) {
      const t = this.quoteTime[j]!;
      if (t <= at && (best < 0 || t >= this.quoteTime[best]!)) best = j;
    }
    if (best < 0) return Number.NaN;
    const b = this.quoteBid[best]!;
    const a = this.quoteAsk[best]!;
    return b + a > 0 ? (b - a) / (b + a) : Number.NaN;
  }

  /** `arena`: where the pair windows live; a FeatureEngine shares one among its symbols. */
  constructor(
    readonly symbol: string,
    arena: PairArena = new PairArena(),
  ) {
    const { chunk, base } = arena.take();
    this.pairChunk = chunk;
    this.pairBase = base;
    const buffer = chunk.memory.buffer;
    this.pairSpyX = new Float64Array(buffer, base, W.RING);
    this.pairSpyY = new Float64Array(buffer, base + PAIR_RING_BYTES, W.RING);
    this.pairQqqX = new Float64Array(buffer, base + 2 * PAIR_RING_BYTES, W.RING);
    this.pairQqqY = new Float64Array(buffer, base + 3 * PAIR_RING_BYTES, W.RING);
    this.s.fill(Number.NaN);
    this.s[S.n] = 0;
    this.s[S.sigN] = 0;
    this.s[S.trSum] = 0;
    this.s[S.obv] = 0;
    this.s[S.sum9] = 0;
    this.s[S.sum20] = 0;
    this.s[S.sum50] = 0;
    this.s[S.volSum20] = 0;
    this.s[S.r10] = this.s[S.rr10] = this.s[S.r60] = this.s[S.rr60] = 0;
    this.s[S.srLow] = Infinity;
    this.s[S.srHigh] = -Infinity;
    this.s[S.srLowN] = this.s[S.srHighN] = 0;
    this.s[S.bbS] = this.s[S.bbSS] = this.s[S.volSS20] = 0;
    this.s[S.sessionKey] = -1;
    this.s[S.spyPairs] = 0;
    this.s[S.qqqPairs] = 0;
    this.s[S.flatRun] = 0;
  }

  get barCount(): number {
    return this.s[S.n]!;
  }

  get lastStart(): number {
    return this.s[S.lastStart]!;
  }

  /** Return at a bar start, for other symbols' market context; NaN when this symbol had no bar then. */
  retAt(start: number): number {
    const n = this.s[S.n]! | 0;
    for (let j = 0; j < Math.min(n, W.RET_HIST); j++) {
      const slot = (n - 1 - j) & (W.RET_HIST - 1);
      const st = this.startHist[slot]!;
      if (st === start) return this.retHist[slot]!;
      if (st < start) return Number.NaN;
    }
    return Number.NaN;
  }

  snapshot(): void {
    this.prev.set(this.s);
    const n = this.s[S.n]! | 0;
    const slot = n & W.MASK;
    const u = this.undo;
    u[0] = this.closes[slot]!;
    u[1] = this.highs[slot]!;
    u[2] = this.lows[slot]!;
    u[3] = this.volumes[slot]!;
    u[4] = this.rets[slot]!;
    u[5] = this.obvs[slot]!;
    u[6] = this.starts[slot]!;
    u[7] = this.vol390[n % W.VOL_WINDOW]!;
    const sp = (this.s[S.spyPairs]! | 0) & W.MASK;
    const qp = (this.s[S.qqqPairs]! | 0) & W.MASK;
    this.undoPairSlot = sp;
    this.undoPairSlotQ = qp;
    u[8] = this.pairSpyX[sp]!;
    u[9] = this.pairSpyY[sp]!;
    u[10] = this.pairQqqX[qp]!;
    u[11] = this.pairQqqY[qp]!;
    const hs = n & (W.RET_HIST - 1);
    u[12] = this.retHist[hs]!;
    u[13] = this.startHist[hs]!;
    this.hasUndo = true;
  }

  /** Puts the state back to before the last bar. */
  rollback(): boolean {
    if (!this.hasUndo) return false;
    this.s.set(this.prev);
    this.lastSession = null; // the session test must run again for the corrected bar
    const n = this.s[S.n]! | 0;
    const slot = n & W.MASK;
    const u = this.undo;
    // Undo the sorted window: take out what the bar put in, put back what it pushed out.
    // (The element-by-element versions: a rare path, and on a sorted window the same result.)
    if (n >= W.VOL_WINDOW) sortedReplaceScan(this.volSorted, W.VOL_WINDOW, this.vol390[n % W.VOL_WINDOW]!, u[7]!);
    else sortedReplaceScan(this.volSorted, n + 1, this.vol390[n % W.VOL_WINDOW]!, Number.NaN);
    this.closes[slot] = u[0]!;
    this.highs[slot] = u[1]!;
    this.lows[slot] = u[2]!;
    this.volumes[slot] = u[3]!;
    this.rets[slot] = u[4]!;
    this.obvs[slot] = u[5]!;
    this.starts[slot] = u[6]!;
    this.vol390[n % W.VOL_WINDOW] = u[7]!;
    this.pairSpyX[this.undoPairSlot] = u[8]!;
    this.pairSpyY[this.undoPairSlot] = u[9]!;
    this.pairQqqX[this.undoPairSlotQ] = u[10]!;
    this.pairQqqY[this.undoPairSlotQ] = u[11]!;
    const hs = n & (W.RET_HIST - 1);
    this.retHist[hs] = u[12]!;
    this.startHist[hs] = u[13]!;
    this.hasUndo = false;
    return true;
  }

  /** Daily bars of sessions before `date`, including the last streamed session if it is not pushed yet. */
  dailyBefore(date: string): readonly DailyBar[] {
    const s = this.s;
    if (Number.isNaN(s[S.dayClose]!) || s[S.sessionKey]! < 0) return this.daily;
    const pending = dateOfKey(s[S.sessionKey]!);
    const last = this.daily[this.daily.length - 1];
    if (pending >= date || (last && last.date >= pending)) return this.daily;
    return [...this.daily, { date: pending, open: s[S.dayOpen]!, high: s[S.dayHigh]!, low: s[S.dayLow]!, close: s[S.dayClose]!, volume: s[S.dayVolume]! }];
  }

  /** The daily bar of the session in progress is complete once the next session starts. */
  pushDayIfComplete(newKey: string): void {
    const s = this.s;
    if (Number.isNaN(s[S.dayClose]!) || this.dayPushedFor === newKey) return;
    const date = dateOfKey(s[S.sessionKey]!);
    const last = this.daily[this.daily.length - 1];
    if (!last || last.date < date) {
      this.daily.push({ date, open: s[S.dayOpen]!, high: s[S.dayHigh]!, low: s[S.dayLow]!, close: s[S.dayClose]!, volume: s[S.dayVolume]! });
      if (this.daily.length > 400) this.daily.splice(0, this.daily.length - 300);
    }
    this.dayPushedFor = newKey;
  }
}

/** Session keys are stored as numbers (YYYYMMDD) in the scalar state. */
function keyOfDate(date: string): number {
  return Number(date.slice(0, 4)) * 10_000 + Number(date.slice(5, 7)) * 100 + Number(date.slice(8, 10));
}
function dateOfKey(key: number): string {
  const y = Math.floor(key / 10_000);
  const m = Math.floor((key % 10_000) / 100);
  const d = key % 100;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const wilder = (avg: number, x: number, n: number): number => (avg * (n - 1) + x) / n;

/** Daily context from the days before `date` (a trader's pre-open homework). */
export function dailyContext(days: readonly DailyBar[], date: string, out: Float64Array, at: number): void {
  // Only days strictly before the session: no look-ahead into today.
  let end = days.length;
  while (end > 0 && days[end - 1]!.date >= date) end--;
  const c = (back: number): number => (end - back >= 0 ? days[end - back]!.close : Number.NaN);
  const c1 = c(1);
  out[at] = Math.log(c1 / c(2));
  out[at + 1] = Math.log(c1 / c(6));
  out[at + 2] = Math.log(c1 / c(11));
  out[at + 3] = Math.log(c1 / c(21));
  // Daily ATR(14), TA-Lib/Wilder, over all prior days.
  let atr = Number.NaN;
  if (end >= 15) {
    let sum = 0;
    for (let i = 1; i <= 14; i++) sum += trueRange(days[i]!, days[i - 1]!.close);
    atr = sum / 14;
    for (let i = 15; i < end; i++) atr = wilder(atr, trueRange(days[i]!, days[i - 1]!.close), 14);
  }
  out[at + 4] = atr / c1;
  out[at + 5] = end >= 20 ? c1 / mean(days, end - 20, end, (d) => d.close) - 1 : Number.NaN;
  out[at + 6] = end >= 50 ? c1 / mean(days, end - 50, end, (d) => d.close) - 1 : Number.NaN;
  out[at + 7] = end >= 5 ? Math.log(mean(days, end - 5, end, (d) => d.close * d.volume)) : Number.NaN;
  out[at + 8] = end >= 20 ? Math.log(mean(days, end - 20, end, (d) => d.close * d.volume)) : Number.NaN;
}

/** σ of the last 20 daily log returns before `date`, annualised, in VIX points. */
export function realizedVolProxy(days: readonly DailyBar[], date: string): number {
  let end = days.length;
  while (end > 0 && days[end - 1]!.date >= date) end--;
  if (end < 21) return Number.NaN;
  const r: number[] = [];
  for (let i = end - 20; i < end; i++) r.push(Math.log(days[i]!.close / days[i - 1]!.close));
  const m = r.reduce((a, b) => a + b, 0) / r.length;
  const v = r.reduce((a, b) => a + (b - m) * (b - m), 0) / r.length;
  return Math.sqrt(v) * Math.sqrt(252) * 100;
}

function trueRange(d: { high: number; low: number }, prevClose: number): number {
  return Math.max(d.high - d.low, Math.abs(d.high - prevClose), Math.abs(d.low - prevClose));
}

function mean<T>(xs: readonly T[], from: number, to: number, f: (x: T) => number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += f(xs[i]!);
  return s / (to - from);
}

export interface MarketRefs {
  spy: SymbolFeatureState | undefined;
  qqq: SymbolFeatureState | undefined;
  /** VIX close known before this session (NaN when none). */
  vixBefore: (date: string) => number;
  /** SPY's daily bars before a date (its last session included even before SPY's next bar arrives). */
  spyDaily: (beforeDate: string) => readonly DailyBar[];
}

/**
 * Applies one regular-session bar to a symbol's state and writes the feature vector (`out`, length
 * FEATURE_COUNT) and the chart overlays (`overlay`, length OVERLAY_COUNT).
 */
export function updateSymbol(
  st: SymbolFeatureState,
  bar: Bar,
  session: TradingSession,
  market: MarketRefs,
  options: Required<FeatureOptions>,
  out: Float64Array,
  overlay: Float64Array,
): void {
  const s = st.s;
  st.snapshot();
  const n = s[S.n]! | 0; // bars before this one
  const slot = n & W.MASK;
  const { open, high, low, close, volume, start } = bar;
  const prevClose = s[S.lastClose]!;

  // ---------------------------------------------------------------- session boundaries
  const key = session === st.lastSession ? s[S.sessionKey]! : keyOfDate(session.date);
  st.lastSession = session;
  const newSession = key !== s[S.sessionKey];
  if (newSession) {
    st.pushDayIfComplete(session.date);
    s[S.sessionKey] = key;
    s[S.sessionOpen] = session.open;
    s[S.sessionClose] = session.close;
    s[S.vwapPv] = 0;
    s[S.vwapV] = 0;
    s[S.deltaSv] = 0;
    s[S.deltaV] = 0;
    s[S.orHigh] = -Infinity;
    s[S.orLow] = Infinity;
    s[S.orEnd] = session.open + options.openingRangeMinutes * 60_000;
    s[S.gap] = Number.isNaN(prevClose) ? Number.NaN : open / prevClose - 1;
    s[S.dayOpen] = open;
    s[S.dayHigh] = high;
    s[S.dayLow] = low;
    s[S.dayClose] = close;
    s[S.dayVolume] = 0;
    const ctx = new Float64Array(9);
    dailyContext(st.daily, session.date, ctx, 0);
    s[S.dRet1] = ctx[0]!;
    s[S.dMom5] = ctx[1]!;
    s[S.dMom10] = ctx[2]!;
    s[S.dMom20] = ctx[3]!;
    s[S.dAtr] = ctx[4]!;
    s[S.dSma20] = ctx[5]!;
    s[S.dSma50] = ctx[6]!;
    s[S.dDv5] = ctx[7]!;
    s[S.dDv20] = ctx[8]!;
    const vix = market.vixBefore(session.date);
    if (Number.isNaN(vix)) {
      s[S.vix] = realizedVolProxy(market.spyDaily(session.date), session.date);
      s[S.vixProxy] = 1;
    } else {
      s[S.vix] = vix;
      s[S.vixProxy] = 0;
    }
  }
  s[S.dayHigh] = Math.max(s[S.dayHigh]!, high);
  s[S.dayLow] = Math.min(s[S.dayLow]!, low);
  s[S.dayClose] = close;
  s[S.dayVolume] = s[S.dayVolume]! + volume;

  // ---------------------------------------------------------------- rings
  const ret = n >= 1 ? Math.log(close / prevClose) : Number.NaN;
  const leavingClose9 = n >= 9 ? st.closes[(n - 9) & W.MASK]! : 0;
  const leavingClose20 = n >= 20 ? st.closes[(n - 20) & W.MASK]! : 0;
  const leavingClose50 = n >= 50 ? st.closes[(n - 50) & W.MASK]! : 0;
  const leavingVol20 = n >= 20 ? st.volumes[(n - 20) & W.MASK]! : 0;
  st.closes[slot] = close;
  st.highs[slot] = high;
  st.lows[slot] = low;
  st.volumes[slot] = volume;
  st.rets[slot] = ret;
  st.starts[slot] = start;
  // Sorted window: the volume 390 bars back leaves, this one enters (read from the ring just written).
  if (volume !== volume) st.volumeNaN = true;
  const atOrBelow = pushVolume(st.volSorted, st.vol390, st.volumes, n & W.MASK, n, st.volumeNaN);
  const hslot = n & (W.RET_HIST - 1);
  st.retHist[hslot] = ret;
  st.startHist[hslot] = start;
  s[S.flatRun] = n >= 1 && close === prevClose ? s[S.flatRun]! + 1 : 0;
  const flatRun = s[S.flatRun]!;
  const nn = n + 1; // bars including this one
  s[S.n] = nn;
  s[S.lastClose] = close;
  s[S.lastStart] = start;

  // ---------------------------------------------------------------- returns
  out[I.ret_1] = ret;
  out[I.ret_5] = n >= 5 ? Math.log(close / st.closes[(n - 5) & W.MASK]!) : Number.NaN;
  out[I.ret_15] = n >= 15 ? Math.log(close / st.closes[(n - 15) & W.MASK]!) : Number.NaN;
  out[I.ret_60] = n >= 60 ? Math.log(close / st.closes[(n - 60) & W.MASK]!) : Number.NaN;

  // ---------------------------------------------------------------- RSI (TA-Lib / Wilder)
  if (n >= 1) {
    const change = close - prevClose;
    const gain = change > 0 ? change : 0;
    const loss = change < 0 ? -change : 0;
    // RSI(2), RSI(5), RSI(14): rsiStep written out (a call would box its number arguments and
    // result on every bar). Their slots (avg gain, avg loss) and features are consecutive.
    for (let q = 0; q < 3; q++) {
      const p = q === 0 ? 2 : q === 1 ? 5 : 14;
      const ag = S.rsiAg2 + 2 * q;
      const al = ag + 1;
      let rsi = Number.NaN;
      if (n < p) {
        s[ag] = (n === 1 ? 0 : s[ag]!) + gain;
        s[al] = (n === 1 ? 0 : s[al]!) + loss;
      } else {
        if (n === p) {
          s[ag] = (s[ag]! + gain) / p;
          s[al] = (s[al]! + loss) / p;
        } else {
          s[ag] = (s[ag]! * (p - 1) + gain) / p; // wilder(avg, x, p)
          s[al] = (s[al]! * (p - 1) + loss) / p;
        }
        const a = s[ag]!;
        const l = s[al]!;
        rsi = l === 0 ? (a === 0 ? 50 : 100) : 100 - 100 / (1 + a / l);
      }
      out[I.rsi_2 + q] = rsi;
    }
  } else {
    out[I.rsi_2] = out[I.rsi_5] = out[I.rsi_14] = Number.NaN;
  }

  // ---------------------------------------------------------------- EMAs, MACD
  // emaStep written out for the bar-by-bar recurrence (k = 2/(p + 1)); the seed stays a call.
  if (nn > 9) s[S.ema9] = (close - s[S.ema9]!) * (2 / 10) + s[S.ema9]!;
  else if (nn === 9) emaSeed(s, S.ema9, 9, st.closes, n);
  if (nn > 12) s[S.ema12] = (close - s[S.ema12]!) * (2 / 13) + s[S.ema12]!;
  else if (nn === 12) emaSeed(s, S.ema12, 12, st.closes, n);
  if (nn > 20) s[S.ema20] = (close - s[S.ema20]!) * (2 / 21) + s[S.ema20]!;
  else if (nn === 20) emaSeed(s, S.ema20, 20, st.closes, n);
  if (nn > 26) s[S.ema26] = (close - s[S.ema26]!) * (2 / 27) + s[S.ema26]!;
  else if (nn === 26) emaSeed(s, S.ema26, 26, st.closes, n);
  if (nn > 50) s[S.ema50] = (close - s[S.ema50]!) * (2 / 51) + s[S.ema50]!;
  else if (nn === 50) emaSeed(s, S.ema50, 50, st.closes, n);
  const e9 = nn >= 9 ? s[S.ema9]! : Number.NaN;
  const e12 = nn >= 12 ? s[S.ema12]! : Number.NaN;
  const e20 = nn >= 20 ? s[S.ema20]! : Number.NaN;
  const e26 = nn >= 26 ? s[S.ema26]! : Number.NaN;
  const e50 = nn >= 50 ? s[S.ema50]! : Number.NaN;
  const macd = e12 - e26;
  out[I.macd] = macd;
  let signal = Number.NaN;
  if (!Number.isNaN(macd)) {
    const m = s[S.sigN]! + 1;
    s[S.sigN] = m;
    if (m < 9) s[S.sig] = (m === 1 ? 0 : s[S.sig]!) + macd;
    else if (m === 9) signal = s[S.sig] = (s[S.sig]! + macd) / 9;
    else signal = s[S.sig] = (macd - s[S.sig]!) * (2 / 10) + s[S.sig]!;
  }
  out[I.macd_signal] = signal;
  out[I.macd_hist] = macd - signal;
  out[I.ema_9_dist] = close / e9 - 1;
  out[I.ema_20_dist] = close / e20 - 1;
  out[I.ema_50_dist] = close / e50 - 1;

  // ---------------------------------------------------------------- SMAs, Bollinger
  s[S.sum9] = s[S.sum9]! + close - leavingClose9;
  s[S.sum20] = s[S.sum20]! + close - leavingClose20;
  s[S.sum50] = s[S.sum50]! + close - leavingClose50;
  const sma9 = nn >= 9 ? s[S.sum9]! / 9 : Number.NaN;
  const sma20 = nn >= 20 ? s[S.sum20]! / 20 : Number.NaN;
  const sma50 = nn >= 50 ? s[S.sum50]! / 50 : Number.NaN;
  out[I.sma_9_dist] = close / sma9 - 1;
  out[I.sma_20_dist] = close / sma20 - 1;
  out[I.sma_50_dist] = close / sma50 - 1;
  // σ20 of closes from running sums of (close - anchor): centred sums keep the precision that raw
  // sums of squares at price levels would lose; re-anchored (exactly recomputed) every 512 bars.
  if (n % 512 === 0 || Number.isNaN(s[S.bbAnchor]!)) {
    const anchor = close;
    let sum = 0;
    let sq = 0;
    for (let j = 0; j < Math.min(nn, 20); j++) {
      const d = st.closes[(n - j) & W.MASK]! - anchor;
      sum += d;
      sq += d * d;
    }
    s[S.bbAnchor] = anchor;
    s[S.bbS] = sum;
    s[S.bbSS] = sq;
  } else {
    const a = s[S.bbAnchor]!;
    const din = close - a;
    const dout = n >= 20 ? leavingClose20 - a : 0;
    s[S.bbS] = s[S.bbS]! + din - dout;
    s[S.bbSS] = s[S.bbSS]! + din * din - dout * dout;
  }
  if (nn >= 20) {
    let sd = 0; // sdFromSums(bbS, bbSS, 20), written out
    if (flatRun < 19) {
      const m = s[S.bbS]! / 20;
      const v = s[S.bbSS]! / 20 - m * m;
      sd = v > 0 ? Math.sqrt(v) : 0;
    }
    const upper = sma20 + 2 * sd;
    const lower = sma20 - 2 * sd;
    out[I.bb_pctb] = sd > 0 ? (close - lower) / (upper - lower) : Number.NaN;
    out[I.bb_width] = (upper - lower) / sma20;
    overlay[O.bb_upper] = upper;
    overlay[O.bb_middle] = sma20;
    overlay[O.bb_lower] = lower;
  } else {
    out[I.bb_pctb] = out[I.bb_width] = Number.NaN;
    overlay[O.bb_upper] = overlay[O.bb_middle] = overlay[O.bb_lower] = Number.NaN;
  }

  // ---------------------------------------------------------------- ATR (TA-Lib / Wilder)
  let atr = Number.NaN;
  if (n >= 1) {
    const tr = Math.max(high - low, Math.abs(high - prevClose), Math.abs(low - prevClose));
    if (n < 14) s[S.trSum] = s[S.trSum]! + tr;
    else if (n === 14) s[S.atr] = (s[S.trSum]! + tr) / 14;
    else s[S.atr] = (s[S.atr]! * (14 - 1) + tr) / 14; // wilder(atr, tr, 14)
    atr = n >= 14 ? s[S.atr]! : Number.NaN;
  }
  out[I.atr_pct] = atr / close;

  // ---------------------------------------------------------------- OBV
  if (n >= 1) s[S.obv] = s[S.obv]! + (close > prevClose ? volume : close < prevClose ? -volume : 0);
  st.obvs[slot] = s[S.obv]!;
  s[S.volSum20] = s[S.volSum20]! + volume - leavingVol20;
  out[I.obv_slope_20] = n >= 20 ? (s[S.obv]! - st.obvs[(n - 20) & W.MASK]!) / s[S.volSum20]! : Number.NaN;

  // ---------------------------------------------------------------- realised volatility
  // Running sums are safe for returns (centred near zero, unlike prices); ret_1 exists from bar 1.
  if (n >= 1) {
    const r10out = n >= 11 ? st.rets[(n - 10) & W.MASK]! : 0;
    const r60out = n >= 61 ? st.rets[(n - 60) & W.MASK]! : 0;
    s[S.r10] = s[S.r10]! + ret - r10out;
    s[S.rr10] = s[S.rr10]! + ret * ret - r10out * r10out;
    s[S.r60] = s[S.r60]! + ret - r60out;
    s[S.rr60] = s[S.rr60]! + ret * ret - r60out * r60out;
  }
  // A window of zero returns has σ exactly 0, which running sums only approximate.
  // sdFromSums written out: σ = √(Σr²/len − (Σr/len)²), 0 when that is not positive.
  let rv10 = Number.NaN;
  if (n >= 10) {
    rv10 = 0;
    if (flatRun < 10) {
      const m = s[S.r10]! / 10;
      const v = s[S.rr10]! / 10 - m * m;
      rv10 = v > 0 ? Math.sqrt(v) : 0;
    }
  }
  let rv60 = Number.NaN;
  if (n >= 60) {
    rv60 = 0;
    if (flatRun < 60) {
      const m = s[S.r60]! / 60;
      const v = s[S.rr60]! / 60 - m * m;
      rv60 = v > 0 ? Math.sqrt(v) : 0;
    }
  }
  out[I.rv_10] = rv10;
  out[I.rv_60] = rv60;
  out[I.vol_ratio] = rv60 > 0 ? rv10 / rv60 : Number.NaN;

  // ---------------------------------------------------------------- volume
  // Volumes are whole numbers: their running sums of squares stay exact below 2^53.
  s[S.volSS20] = s[S.volSS20]! + volume * volume - leavingVol20 * leavingVol20;
  if (nn >= 20) {
    const m = s[S.volSum20]! / 20;
    let sd: number;
    if (Number.isInteger(volume) && s[S.volSS20]! < 2 ** 53) {
      const v = s[S.volSS20]! / 20 - m * m; // sdFromSums(volSum20, volSS20, 20): its mean is m
      sd = v > 0 ? Math.sqrt(v) : 0;
    } else sd = stdev(st.volumes, n, 20, m);
    out[I.volume_z_20] = sd > 0 ? (volume - m) / sd : Number.NaN;
  } else out[I.volume_z_20] = Number.NaN;
  out[I.volume_pctile_390] = nn >= W.VOL_WINDOW ? (atOrBelow >= 0 ? atOrBelow : upperBound(st.volSorted, W.VOL_WINDOW, volume)) / W.VOL_WINDOW : Number.NaN;
  // Tick rule, restarted with +1 at each session's first bar (the delta is a per-session measure).
  let sign = s[S.prevSign]!;
  if (n === 0 || newSession || Number.isNaN(sign)) sign = 1;
  else if (close > prevClose) sign = 1;
  else if (close < prevClose) sign = -1;
  s[S.prevSign] = sign;
  s[S.deltaSv] = s[S.deltaSv]! + sign * volume;
  s[S.deltaV] = s[S.deltaV]! + volume;
  out[I.signed_volume_delta] = s[S.deltaV]! > 0 ? s[S.deltaSv]! / s[S.deltaV]! : Number.NaN;
  // Without a quote every slot is empty and the lookup is NaN: skip the call.
  out[I.quote_imbalance] = st.quoteCount === 0 ? Number.NaN : st.imbalanceAt(start + 60_000);

  // ---------------------------------------------------------------- session VWAP
  s[S.vwapPv] = s[S.vwapPv]! + ((high + low + close) / 3) * volume;
  s[S.vwapV] = s[S.vwapV]! + volume;
  const vwap = s[S.vwapV]! > 0 ? s[S.vwapPv]! / s[S.vwapV]! : Number.NaN;
  out[I.vwap_dist] = close / vwap - 1;
  overlay[O.vwap] = vwap;

  // ---------------------------------------------------------------- Laguerre (Ehlers)
  // Written out from laguerreStep / laguerreRsi, in functions of their own (see laguerre).
  laguerre(st, n, options, out, overlay);
  adaptiveLaguerre(st, n, out, overlay);

  // ---------------------------------------------------------------- support / resistance
  // Window extremes kept incrementally, with how many window values equal each: a leaving value
  // equal to the extreme needs a rescan only when it was the last copy. The values are exactly
  // those of a rescan (a minimum is a minimum); only with a zero among them could the sign of the
  // zero depend on which copy was kept, so then it rescans both, as it always did.
  {
    const lo = s[S.srLow]!;
    const hi = s[S.srHigh]!;
    const leavesLo = n >= 60 && st.lows[(n - 60) & W.MASK] === lo;
    const leavesHi = n >= 60 && st.highs[(n - 60) & W.MASK] === hi;
    if ((leavesLo || leavesHi) && (lo === 0 || hi === 0 || low === 0 || high === 0)) rescanExtremes(st, n, nn, 3);
    else {
      if (leavesLo && s[S.srLowN]! < 2) rescanExtremes(st, n, nn, 1);
      else {
        if (leavesLo) s[S.srLowN] = s[S.srLowN]! - 1;
        if (low < lo) {
          s[S.srLow] = low;
          s[S.srLowN] = 1;
        } else if (low === lo) s[S.srLowN] = s[S.srLowN]! + 1;
      }
      if (leavesHi && s[S.srHighN]! < 2) rescanExtremes(st, n, nn, 2);
      else {
        if (leavesHi) s[S.srHighN] = s[S.srHighN]! - 1;
        if (high > hi) {
          s[S.srHigh] = high;
          s[S.srHighN] = 1;
        } else if (high === hi) s[S.srHighN] = s[S.srHighN]! + 1;
      }
    }
  }
  if (nn >= 60) {
    const lo = s[S.srLow]!;
    const hi = s[S.srHigh]!;
    out[I.support_dist_60] = (close - lo) / close;
    out[I.resistance_dist_60] = (hi - close) / close;
    overlay[O.support_60] = lo;
    overlay[O.resistance_60] = hi;
  } else {
    out[I.support_dist_60] = out[I.resistance_dist_60] = Number.NaN;
    overlay[O.support_60] = overlay[O.resistance_60] = Number.NaN;
  }

  // ---------------------------------------------------------------- opening range
  const barEnd = start + 60_000;
  if (start < s[S.orEnd]!) {
    s[S.orHigh] = Math.max(s[S.orHigh]!, high);
    s[S.orLow] = Math.min(s[S.orLow]!, low);
  }
  if (barEnd >= s[S.orEnd]! && Number.isFinite(s[S.orHigh]!)) {
    const orH = s[S.orHigh]!;
    const orL = s[S.orLow]!;
    out[I.or_high_dist] = close / orH - 1;
    out[I.or_low_dist] = close / orL - 1;
    // The bar that completes the range cannot break out of it.
    out[I.or_breakout_up] = start >= s[S.orEnd]! && close > orH ? 1 : 0;
    out[I.or_breakout_down] = start >= s[S.orEnd]! && close < orL ? 1 : 0;
    overlay[O.or_high] = orH;
    overlay[O.or_low] = orL;
  } else {
    out[I.or_high_dist] = out[I.or_low_dist] = out[I.or_breakout_up] = out[I.or_breakout_down] = Number.NaN;
    overlay[O.or_high] = overlay[O.or_low] = Number.NaN;
  }
  out[I.gap_pct] = s[S.gap]!;
  out[I.minutes_since_open] = (barEnd - s[S.sessionOpen]!) / 60_000;
  out[I.minutes_to_close] = (s[S.sessionClose]! - barEnd) / 60_000;

  // ---------------------------------------------------------------- daily context
  out[I.d_ret_1] = s[S.dRet1]!;
  out[I.d_mom_5] = s[S.dMom5]!;
  out[I.d_mom_10] = s[S.dMom10]!;
  out[I.d_mom_20] = s[S.dMom20]!;
  out[I.d_atr_14_pct] = s[S.dAtr]!;
  out[I.d_sma_20_dist] = s[S.dSma20]!;
  out[I.d_sma_50_dist] = s[S.dSma50]!;
  out[I.d_dollar_vol_5] = s[S.dDv5]!;
  out[I.d_dollar_vol_20] = s[S.dDv20]!;

  // ---------------------------------------------------------------- market context (up to t-1)
  // The pair for the previous bar is complete now: both it and the index's bar for that minute closed.
  if (n >= 2) pushPairs(st, market, n);
  const sp = s[S.spyPairs]! | 0;
  const qp = s[S.qqqPairs]! | 0;
  if (sp < W.PAIR_WINDOW || qp < W.PAIR_WINDOW) {
    corrBeta(st.pairSpyX, st.pairSpyY, sp, out, I.corr_spy_60, I.beta_spy_60);
    corrBeta(st.pairQqqX, st.pairQqqY, qp, out, I.corr_qqq_60, I.beta_qqq_60);
  } else {
    // Both windows full: corrBeta for both in the WebAssembly kernel (the same sums in the same
    // order, so the same numbers; see PairArena), results read back from the chunk's scratch.
    const chunk = st.pairChunk;
    chunk.corr(st.pairBase, sp, qp);
    const r = chunk.result;
    out[I.corr_spy_60] = r[0]!;
    out[I.beta_spy_60] = r[1]!;
    out[I.corr_qqq_60] = r[2]!;
    out[I.beta_qqq_60] = r[3]!;
  }
  out[I.vix_level] = s[S.vix]!;
  out[I.vix_is_proxy] = Number.isNaN(s[S.vix]!) ? Number.NaN : s[S.vixProxy]!;
}

/** An EMA's seed at its p-th close: the SMA of the first p closes (summed from the ring, oldest first, like the reference). */
function emaSeed(s: Float64Array, slot: number, p: number, closes: Float64Array, n: number): void {
  let sum = 0;
  for (let j = p - 1; j >= 0; j--) sum += closes[(n - j) & W.MASK]!;
  s[slot] = sum / p;
}

/** Population σ of the last `len` ring values ending at index n (mean given, or computed when NaN). */
function stdev(ring: Float64Array, n: number, len: number, mean: number): number {
  let m = mean;
  if (Number.isNaN(m)) {
    let sum = 0;
    for (let j = 0; j < len; j++) sum += ring[(n - j) & W.MASK]!;
    m = sum / len;
  }
  let ss = 0;
  for (let j = 0; j < len; j++) {
    const d = ring[(n - j) & W.MASK]! - m;
    ss += d * d;
  }
  return Math.sqrt(ss / len);
}

/**
 * The Laguerre filter (options.gamma) of bar n and its Laguerre RSI. Inside updateSymbol these
 * numbers ended up boxed on every bar; a function of its own with object and integer arguments
 * keeps them unboxed.
 */
function laguerre(st: SymbolFeatureState, n: number, options: Required<FeatureOptions>, out: Float64Array, overlay: Float64Array): void {
  const s = st.s;
  const close = st.closes[n & W.MASK]!;
  const g = options.gamma;
  let lf: number;
  if (n === 0) {
    s[S.lag0] = s[S.lag1] = s[S.lag2] = s[S.lag3] = close;
    lf = close;
  } else {
    const l0p = s[S.lag0]!;
    const l1p = s[S.lag1]!;
    const l2p = s[S.lag2]!;
    const l3p = s[S.lag3]!;
    const l0 = (1 - g) * close + g * l0p;
    const l1 = -g * l0 + l0p + g * l1p;
    const l2 = -g * l1 + l1p + g * l2p;
    const l3 = -g * l2 + l2p + g * l3p;
    s[S.lag0] = l0;
    s[S.lag1] = l1;
    s[S.lag2] = l2;
    s[S.lag3] = l3;
    lf = (l0 + 2 * l1 + 2 * l2 + l3) / 6;
  }
  out[I.laguerre_dist] = close / lf - 1;
  {
    const l0 = s[S.lag0]!;
    const l1 = s[S.lag1]!;
    const l2 = s[S.lag2]!;
    const l3 = s[S.lag3]!;
    let cu = 0;
    let cd = 0;
    if (l0 >= l1) cu += l0 - l1;
    else cd += l1 - l0;
    if (l1 >= l2) cu += l1 - l2;
    else cd += l2 - l1;
    if (l2 >= l3) cu += l2 - l3;
    else cd += l3 - l2;
    out[I.laguerre_rsi] = cu + cd > 0 ? cu / (cu + cd) : Number.NaN;
  }
  overlay[O.laguerre] = lf;
}

/**
 * The adaptive Laguerre filter (gamma from ATR14/close) of bar n, written out like laguerreStep. A
 * function of its own with object and integer arguments: inside updateSymbol its numbers ended up
 * boxed on every bar. The ATR is the one just updated (NaN before the 14th change).
 */
function adaptiveLaguerre(st: SymbolFeatureState, n: number, out: Float64Array, overlay: Float64Array): void {
  const s = st.s;
  const close = st.closes[n & W.MASK]!;
  const atr = n >= 14 ? s[S.atr]! : Number.NaN;
  let alf = Number.NaN;
  if (!Number.isNaN(atr)) {
    const ga = Math.min(0.9, Math.max(0.1, 1 - (100 * atr) / close));
    if (Number.isNaN(s[S.alag0]!)) {
      s[S.alag0] = s[S.alag1] = s[S.alag2] = s[S.alag3] = close;
      alf = close;
    } else {
      const l0p = s[S.alag0]!;
      const l1p = s[S.alag1]!;
      const l2p = s[S.alag2]!;
      const l3p = s[S.alag3]!;
      const l0 = (1 - ga) * close + ga * l0p;
      const l1 = -ga * l0 + l0p + ga * l1p;
      const l2 = -ga * l1 + l1p + ga * l2p;
      const l3 = -ga * l2 + l2p + ga * l3p;
      s[S.alag0] = l0;
      s[S.alag1] = l1;
      s[S.alag2] = l2;
      s[S.alag3] = l3;
      alf = (l0 + 2 * l1 + 2 * l2 + l3) / 6;
    }
  }
  out[I.laguerre_adaptive_dist] = close / alf - 1;
  overlay[O.laguerre_adaptive] = alf;
}

/**
 * The low (which & 1) and/or high (which & 2) extreme of the last 60 bars (fewer while warming up),
 * and how many bars hold it, rescanned newest first. Strict comparisons keep the newest of equal
 * values, as the original rescan did; with which = 3 the two scans are the original one.
 */
function rescanExtremes(st: SymbolFeatureState, n: number, nn: number, which: number): void {
  const s = st.s;
  const len = Math.min(nn, 60);
  if (which & 1) {
    let lo = Infinity;
    for (let j = 0; j < len; j++) {
      const v = st.lows[(n - j) & W.MASK]!;
      if (v < lo) lo = v;
    }
    let count = 0;
    for (let j = 0; j < len; j++) if (st.lows[(n - j) & W.MASK] === lo) count++;
    s[S.srLow] = lo;
    s[S.srLowN] = count;
  }
  if (which & 2) {
    let hi = -Infinity;
    for (let j = 0; j < len; j++) {
      const v = st.highs[(n - j) & W.MASK]!;
      if (v > hi) hi = v;
    }
    let count = 0;
    for (let j = 0; j < len; j++) if (st.highs[(n - j) & W.MASK] === hi) count++;
    s[S.srHigh] = hi;
    s[S.srHighN] = count;
  }
}

/**
 * Bar n's own return for the previous minute and SPY's and QQQ's for the same minute, paired into
 * their windows when both are known (a missing index bar is skipped). A function with integer and
 * object arguments only (numbers passed to a call that is not inlined are boxed, every bar); the
 * index's return is read inline when its last bar is that minute (the first slot retAt looks at),
 * otherwise by the full lookup.
 */
function pushPairs(st: SymbolFeatureState, market: MarketRefs, n: number): void {
  const s = st.s;
  const x = st.rets[(n - 1) & W.MASK]!;
  const prevStart = st.starts[(n - 1) & W.MASK]!; // the previous bar's start
  const spy = market.spy;
  const qqq = market.qqq;
  let ySpy = Number.NaN;
  if (spy === st) ySpy = x;
  else if (spy) {
    const m = spy.s[S.n]! | 0;
    const h = (m - 1) & (W.RET_HIST - 1);
    ySpy = m > 0 && spy.startHist[h] === prevStart ? spy.retHist[h]! : spy.retAt(prevStart);
  }
  let yQqq = Number.NaN;
  if (qqq === st) yQqq = x;
  else if (qqq) {
    const m = qqq.s[S.n]! | 0;
    const h = (m - 1) & (W.RET_HIST - 1);
    yQqq = m > 0 && qqq.startHist[h] === prevStart ? qqq.retHist[h]! : qqq.retAt(prevStart);
  }
  if (!Number.isNaN(x) && !Number.isNaN(ySpy)) {
    const c = s[S.spyPairs]! | 0;
    st.pairSpyX[c & W.MASK] = x;
    st.pairSpyY[c & W.MASK] = ySpy;
    s[S.spyPairs] = c + 1;
  }
  if (!Number.isNaN(x) && !Number.isNaN(yQqq)) {
    const c = s[S.qqqPairs]! | 0;
    st.pairQqqX[c & W.MASK] = x;
    st.pairQqqY[c & W.MASK] = yQqq;
    s[S.qqqPairs] = c + 1;
  }
}

/** Correlation and beta over the last 60 valid pairs, two-pass (exactly 0 variance stays 0). */
function corrBeta(xs: Float64Array, ys: Float64Array, pairs: number, out: Float64Array, corrAt: number, betaAt: number): void {
  if (pairs < W.PAIR_WINDOW) {
    out[corrAt] = out[betaAt] = Number.NaN;
    return;
  }
  let mx = 0;
  let my = 0;
  for (let j = 1; j <= W.PAIR_WINDOW; j++) {
    const sl = (pairs - j) & W.MASK;
    mx += xs[sl]!;
    my += ys[sl]!;
  }
  mx /= W.PAIR_WINDOW;
  my /= W.PAIR_WINDOW;
  let vx = 0;
  let vy = 0;
  let cov = 0;
  for (let j = 1; j <= W.PAIR_WINDOW; j++) {
    const sl = (pairs - j) & W.MASK;
    const dx = xs[sl]! - mx;
    const dy = ys[sl]! - my;
    vx += dx * dx;
    vy += dy * dy;
    cov += dx * dy;
  }
  out[corrAt] = vx > 0 && vy > 0 ? cov / Math.sqrt(vx * vy) : Number.NaN;
  out[betaAt] = vy > 0 ? cov / vy : Number.NaN;
}

export { FEATURE_COUNT };
/** Scalar slot of each state variable, by name. */
export const SCALAR_SLOTS = Object.freeze(
  Object.fromEntries(Object.entries(S).filter(([, v]) => typeof v === 'number')) as { readonly [K in keyof typeof S]: (typeof S)[K] },
);
export type { NyseCalendar };
export { nyDateKey };
