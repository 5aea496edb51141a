// Training labels for one symbol's regular-session bars: next-bar direction, buy/hold/sell against a
// volatility- and cost-aware threshold, triple-barrier outcomes and per-trade excursions (MFE/MAE).
//
// Conventions (each is what a trader would check):
// - Input is ONE symbol's REGULAR-session bars in strictly increasing start order; the session of a
//   bar is its New York date. `regularSessionBars` filters store columns to that.
// - The decision is taken at bar t's close (the entry price is close_t); a label at t uses bars
//   t+1 … t+H only. The horizon H counts bars, as dataset.ts and the features do (for complete
//   1-minute bars, H bars = H minutes).
// - No label crosses the session close. FIXED-HORIZON labels (direction, forward return, buy/hold/
//   sell) are NaN when t+H lies beyond the session's last bar. PATH labels (triple barrier, MFE/MAE)
//   are TRUNCATED at the close — a day trader is flat at the bell, so the vertical barrier becomes
//   the session's last bar — and flag it in `truncated`; they are NaN only at the last bar itself.
// - Volatility σ_t must be known at t: either a column the caller passes (e.g. the rv_60 feature),
//   or `rollingReturnSigma`, which is rv_60's own definition: the population σ of the last 60
//   ln(close/prev close) returns ending at bar t (crossing the overnight gap, like the feature).
//   A per-bar σ is scaled to the horizon by √H. NaN σ (warm-up) gives NaN labels.
// - Returns are natural-log returns; costs are round-trip costs in the same return units.
import { nyDateKey } from '../calendar/ny-time';
import type { BarColumns } from '../store/history-store';

export interface SessionBars {
  /** Bar start, epoch ms UTC, strictly increasing. */
  start: ArrayLike<number>;
  open: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
}

/** The store's part code of a regular-session bar (BarColumns.part). */
export const REGULAR_PART = 1;

/** Classes of the buy/hold/sell label. */
export const SELL = 0;
export const HOLD = 1;
export const BUY = 2;

/** Classes of the triple-barrier label: which barrier the price touched first (long view). */
export const BARRIER_STOP = 0;
export const BARRIER_TIME = 1;
export const BARRIER_TARGET = 2;

/** The regular-session bars of store columns (pre- and post-market dropped). */
export function regularSessionBars(cols: BarColumns): SessionBars {
  const keep: number[] = [];
  for (let i = 0; i < cols.length; i++) if (cols.part[i] === REGULAR_PART) keep.push(i);
  const pick = (a: Float64Array): Float64Array => Float64Array.from(keep, (i) => a[i]!);
  return { start: pick(cols.start), open: pick(cols.open), high: pick(cols.high), low: pick(cols.low), close: pick(cols.close) };
}

export interface SessionIndex {
  /** Index of the last bar of each bar's session. */
  sessionEnd: Int32Array;
  /** Session number (0, 1, …) of each bar. */
  session: Int32Array;
  /** New York date of each session, in order. */
  dates: string[];
}

/** Session boundaries by New York date; throws on unsorted bars (a bug upstream, not a value). */
export function sessionIndex(start: ArrayLike<number>): SessionIndex {
  const n = start.length;
  const sessionEnd = new Int32Array(n);
  const session = new Int32Array(n);
  const dates: string[] = [];
  let first = 0;
  for (let i = 0; i < n; i++) {
    const s = start[i]!;
    if (!Number.isFinite(s)) throw new RangeError(`bar ${i} has no valid start time`);
    if (i > 0 && s <= start[i - 1]!) throw new RangeError(`bars are not in strictly increasing time order at ${i}`);
    const date = nyDateKey(s);
    if (i === 0 || date !== dates[dates.length - 1]) {
      for (let j = first; j < i; j++) sessionEnd[j] = i - 1;
      first = i;
      dates.push(date);
    }
    session[i] = dates.length - 1;
  }
  for (let j = first; j < n; j++) sessionEnd[j] = n - 1;
  return { sessionEnd, session, dates };
}

/**
 * σ of 1-bar log returns known at each bar: the population σ of the last `window` returns ending at
 * bar t (the rv_60 feature's definition for window 60). NaN until `window` returns exist.
 */
export function rollingReturnSigma(close: ArrayLike<number>, window = 60): Float64Array {
  if (!Number.isInteger(window) || window < 2) throw new RangeError(`window must be an integer ≥ 2, got ${window}`);
  const n = close.length;
  const out = new Float64Array(n).fill(Number.NaN);
  const ret = new Float64Array(n);
  for (let j = 1; j < n; j++) ret[j] = Math.log(close[j]! / close[j - 1]!);
  // Two passes over each window (O(n·window)): exact, with no running-sum drift, and cheap next to
  // the feature engine.
  for (let t = window; t < n; t++) {
    let sum = 0;
    for (let j = t - window + 1; j <= t; j++) sum += ret[j]!;
    const mean = sum / window;
    let ss = 0;
    for (let j = t - window + 1; j <= t; j++) ss += (ret[j]! - mean) ** 2;
    out[t] = Math.sqrt(ss / window);
  }
  return out;
}

function checkHorizon(h: number): void {
  if (!Number.isInteger(h) || h < 1) throw new RangeError(`horizon must be a whole number of bars ≥ 1, got ${h}`);
}

function sigmaOf(bars: SessionBars, sigma: ArrayLike<number> | undefined, sigmaWindow: number): ArrayLike<number> {
  if (sigma === undefined) return rollingReturnSigma(bars.close, sigmaWindow);
  if (sigma.length !== bars.close.length) throw new RangeError(`sigma has ${sigma.length} values for ${bars.close.length} bars`);
  return sigma;
}

/** 1 when close_{t+1} > close_t, 0 when lower; NaN when equal or at the session's last bar. */
export function nextBarDirection(bars: SessionBars, index: SessionIndex = sessionIndex(bars.start)): Float64Array {
  const n = bars.close.length;
  const out = new Float64Array(n).fill(Number.NaN);
  for (let t = 0; t < n; t++) {
    if (t + 1 > index.sessionEnd[t]!) continue;
    const c0 = bars.close[t]!;
    const c1 = bars.close[t + 1]!;
    if (c1 > c0) out[t] = 1;
    else if (c1 < c0) out[t] = 0;
  }
  return out;
}

export interface ForwardReturn {
  /** ln(close_{t+H}/close_t); NaN when t+H is past the session's last bar. */
  value: Float64Array;
  /** Start of bar t+H (the last bar the label uses), NaN with the value. */
  end: Float64Array;
}

/** The fixed-horizon forward log return over H bars of the same session. */
export function forwardReturn(bars: SessionBars, horizon: number, index: SessionIndex = sessionIndex(bars.start)): ForwardReturn {
  checkHorizon(horizon);
  const n = bars.close.length;
  const value = new Float64Array(n).fill(Number.NaN);
  const end = new Float64Array(n).fill(Number.NaN);
  for (let t = 0; t < n; t++) {
    const j = t + horizon;
    if (j > index.sessionEnd[t]!) continue;
    value[t] = Math.log(bars.close[j]! / bars.close[t]!);
    end[t] = bars.start[j]!;
  }
  return { value, end };
}

export interface TradeSignalOptions {
  /** Horizon in bars. */
  horizon: number;
  /** Threshold multiple of the horizon volatility σ_t·√H. */
  k: number;
  /** Round-trip cost in return units (e.g. 0.0006 = 6 bp: spread, commission and slippage both ways). */
  cost: number;
  /** Per-bar σ known at each bar (e.g. the rv_60 column); default rollingReturnSigma(close, sigmaWindow). */
  sigma?: ArrayLike<number>;
  sigmaWindow?: number;
}

export interface TradeSignalLabels {
  /** 0 sell, 1 hold, 2 buy; NaN without a forward return or σ. */
  label: Float64Array;
  forwardReturn: Float64Array;
  /** max(k·σ_t·√H, cost), the move a trade must beat. */
  threshold: Float64Array;
  /** Start of the last bar the label uses. */
  end: Float64Array;
}

/**
 * Buy when the H-bar forward return beats +threshold, sell when it is below −threshold, else hold;
 * threshold = max(k·σ_t·√H, cost). Fixed horizon: NaN when t+H is past the close.
 */
export function tradeSignalLabels(bars: SessionBars, opts: TradeSignalOptions, index: SessionIndex = sessionIndex(bars.start)): TradeSignalLabels {
  checkHorizon(opts.horizon);
  if (!(opts.k >= 0) || !(opts.cost >= 0)) throw new RangeError('k and cost must be ≥ 0');
  const sigma = sigmaOf(bars, opts.sigma, opts.sigmaWindow ?? 60);
  const fwd = forwardReturn(bars, opts.horizon, index);
  const n = bars.close.length;
  const label = new Float64Array(n).fill(Number.NaN);
  const threshold = new Float64Array(n).fill(Number.NaN);
  const root = Math.sqrt(opts.horizon);
  for (let t = 0; t < n; t++) {
    const s = sigma[t]!;
    if (!Number.isFinite(s)) continue;
    const thr = Math.max(opts.k * s * root, opts.cost);
    threshold[t] = thr;
    const r = fwd.value[t]!;
    if (Number.isNaN(r)) continue;
    label[t] = r > thr ? BUY : r < -thr ? SELL : HOLD;
  }
  return { label, forwardReturn: fwd.value, threshold, end: fwd.end };
}

export interface TripleBarrierOptions {
  /** Vertical barrier in bars (truncated at the session's last bar). */
  horizon: number;
  /** Profit target at +upper·σ_t·√H (log return from close_t). */
  upper: number;
  /** Stop at −lower·σ_t·√H. */
  lower: number;
  sigma?: ArrayLike<number>;
  sigmaWindow?: number;
}

export interface TripleBarrierLabels {
  /** 0 stop hit first, 1 vertical barrier (time), 2 target hit first; NaN without σ or later bars. */
  label: Float64Array;
  /** Start of the bar that touched (for the vertical barrier: the last bar of the window). */
  touchTime: Float64Array;
  /** Index of that bar, -1 when the label is NaN. */
  touchIndex: Int32Array;
  /** Bars from t to the touch. */
  barsHeld: Float64Array;
  /** Log return realised at the touch: the barrier level, or the close at the vertical barrier. */
  realised: Float64Array;
  /** 1 when the window was cut by the session close before H bars. */
  truncated: Uint8Array;
}

/**
 * Triple barrier for a long entry at close_t: which of target / stop / time is hit first, using the
 * highs and lows of bars t+1 … min(t+H, session end). A bar whose range covers both barriers counts
 * as the stop: within one bar we cannot know the order, and the conservative reading is the loss.
 */
export function tripleBarrierLabels(bars: SessionBars, opts: TripleBarrierOptions, index: SessionIndex = sessionIndex(bars.start)): TripleBarrierLabels {
  checkHorizon(opts.horizon);
  if (!(opts.upper > 0) || !(opts.lower > 0)) throw new RangeError('upper and lower barrier multiples must be > 0');
  const sigma = sigmaOf(bars, opts.sigma, opts.sigmaWindow ?? 60);
  const n = bars.close.length;
  const label = new Float64Array(n).fill(Number.NaN);
  const touchTime = new Float64Array(n).fill(Number.NaN);
  const touchIndex = new Int32Array(n).fill(-1);
  const barsHeld = new Float64Array(n).fill(Number.NaN);
  const realised = new Float64Array(n).fill(Number.NaN);
  const truncated = new Uint8Array(n);
  const root = Math.sqrt(opts.horizon);
  for (let t = 0; t < n; t++) {
    const s = sigma[t]!;
    const last = Math.min(t + opts.horizon, index.sessionEnd[t]!);
    if (!Number.isFinite(s) || last === t) continue;
    const entry = bars.close[t]!;
    const up = opts.upper * s * root;
    const down = -opts.lower * s * root;
    const upPrice = entry * Math.exp(up);
    const downPrice = entry * Math.exp(down);
    let hit = BARRIER_TIME;
    let at = last;
    for (let j = t + 1; j <= last; j++) {
      // Stop checked first: a bar spanning both barriers is read as the stop.
      if (bars.low[j]! <= downPrice) {
        hit = BARRIER_STOP;
        at = j;
        break;
      }
      if (bars.high[j]! >= upPrice) {
        hit = BARRIER_TARGET;
        at = j;
        break;
      }
    }
    label[t] = hit;
    touchIndex[t] = at;
    touchTime[t] = bars.start[at]!;
    barsHeld[t] = at - t;
    realised[t] = hit === BARRIER_STOP ? down : hit === BARRIER_TARGET ? up : Math.log(bars.close[at]! / entry);
    truncated[t] = t + opts.horizon > last ? 1 : 0;
  }
  return { label, touchTime, touchIndex, barsHeld, realised, truncated };
}

export interface Excursions {
  /** Maximum favourable / adverse excursion as non-negative log-return magnitudes from close_t. */
  longMfe: Float64Array;
  longMae: Float64Array;
  shortMfe: Float64Array;
  shortMae: Float64Array;
  /** Start of the last bar of the holding window. */
  end: Float64Array;
  truncated: Uint8Array;
}

/**
 * MFE/MAE over the holding window bars t+1 … min(t+H, session end), entry at close_t, from the bars'
 * highs and lows. Long MFE = ln(max high / entry) floored at 0, long MAE = ln(entry / min low) floored
 * at 0; a short's favourable side is the long's adverse side and vice versa.
 */
export function excursions(bars: SessionBars, horizon: number, index: SessionIndex = sessionIndex(bars.start)): Excursions {
  checkHorizon(horizon);
  const n = bars.close.length;
  const mk = (): Float64Array => new Float64Array(n).fill(Number.NaN);
  const out: Excursions = { longMfe: mk(), longMae: mk(), shortMfe: mk(), shortMae: mk(), end: mk(), truncated: new Uint8Array(n) };
  for (let t = 0; t < n; t++) {
    const last = Math.min(t + horizon, index.sessionEnd[t]!);
    if (last === t) continue;
    let hi = -Infinity;
    let lo = Infinity;
    for (let j = t + 1; j <= last; j++) {
      if (bars.high[j]! > hi) hi = bars.high[j]!;
      if (bars.low[j]! < lo) lo = bars.low[j]!;
    }
    const entry = bars.close[t]!;
    const up = Math.max(0, Math.log(hi / entry));
    const down = Math.max(0, Math.log(entry / lo));
    out.longMfe[t] = up;
    out.longMae[t] = down;
    out.shortMfe[t] = down;
    out.shortMae[t] = up;
    out.end[t] = bars.start[last]!;
    out.truncated[t] = t + horizon > last ? 1 : 0;
  }
  return out;
}

/**
 * End of each row's label window for purging when labels span H bars of the row's own symbol and
 * session: the start of bar t+H, or of the session's last bar when the window is cut at the close.
 * Rows may mix symbols in any order; within a symbol, starts must be increasing when sorted.
 */
export function labelWindowEnd(start: ArrayLike<number>, symbol: ArrayLike<string>, horizon: number): Float64Array {
  checkHorizon(horizon);
  const n = start.length;
  const out = new Float64Array(n);
  const bySymbol = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const s = symbol[i]!;
    let rows = bySymbol.get(s);
    if (!rows) bySymbol.set(s, (rows = []));
    rows.push(i);
  }
  for (const rows of bySymbol.values()) {
    rows.sort((a, b) => start[a]! - start[b]!);
    const idx = sessionIndex(Float64Array.from(rows, (r) => start[r]!));
    for (let k = 0; k < rows.length; k++) out[rows[k]!] = start[rows[Math.min(k + horizon, idx.sessionEnd[k]!)]!]!;
  }
  return out;
}
