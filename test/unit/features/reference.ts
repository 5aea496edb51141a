// Independent batch reference of the feature spec (the `doc` of each feature in spec.ts): plain
// arrays, one pass per recursive indicator and naive loops over full windows, no code shared with
// src/main/features. Parity with the streaming engine then means two implementations written from
// the same words agree, not one implementation agreeing with itself.
import { FEATURE_NAMES } from '../../../src/main/features/spec';

export interface RefBar {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The regular session a bar belongs to (UTC instants), from the calendar. */
export interface RefSession {
  date: string;
  open: number;
  close: number;
}

export interface RefDay {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** One symbol's regular-session minute bars, in time order, with the session of each bar. */
export interface RefSeries {
  bars: readonly RefBar[];
  sessions: readonly RefSession[];
  /** Daily bars known before the first minute bar, oldest first. */
  seedDaily?: readonly RefDay[];
}

export interface RefMarket {
  spy?: RefSeries;
  qqq?: RefSeries;
  vix?: ReadonlyArray<{ date: string; close: number }>;
}

export interface RefOptions {
  gamma: number;
  openingRangeMinutes: number;
}

const NaN_ = Number.NaN;
const MINUTE = 60_000;

function filled(n: number): number[] {
  return new Array<number>(n).fill(NaN_);
}

function sumRange(xs: readonly number[], from: number, to: number): number {
  let s = 0;
  for (let i = from; i <= to; i++) s += xs[i]!;
  return s;
}

function meanRange(xs: readonly number[], from: number, to: number): number {
  return sumRange(xs, from, to) / (to - from + 1);
}

/** Population σ over xs[from..to], two passes; exactly 0 when every value is the same. */
function popSd(xs: readonly number[], from: number, to: number): number {
  let same = true;
  for (let i = from + 1; i <= to; i++) if (xs[i] !== xs[from]) same = false;
  if (same) return 0;
  const m = meanRange(xs, from, to);
  let ss = 0;
  for (let i = from; i <= to; i++) ss += (xs[i]! - m) ** 2;
  return Math.sqrt(ss / (to - from + 1));
}

/** TA-Lib EMA: seeded with the SMA of the first p values, then e += k·(x − e), k = 2/(p+1). */
function emaSeries(xs: readonly number[], p: number, firstIndex = 0): number[] {
  const out = filled(xs.length);
  const seedAt = firstIndex + p - 1;
  if (seedAt >= xs.length) return out;
  let e = meanRange(xs, firstIndex, seedAt);
  out[seedAt] = e;
  const k = 2 / (p + 1);
  for (let i = seedAt + 1; i < xs.length; i++) {
    e = xs[i]! * k + e * (1 - k);
    out[i] = e;
  }
  return out;
}

/** Wilder smoothing of xs[firstIndex..]: the first value is the mean of the first p, then (a·(p−1)+x)/p. */
function wilderSeries(xs: readonly number[], p: number, firstIndex: number): number[] {
  const out = filled(xs.length);
  const seedAt = firstIndex + p - 1;
  if (seedAt >= xs.length) return out;
  let a = meanRange(xs, firstIndex, seedAt);
  out[seedAt] = a;
  for (let i = seedAt + 1; i < xs.length; i++) {
    a = a + (xs[i]! - a) / p;
    out[i] = a;
  }
  return out;
}

function rsiSeries(closes: readonly number[], p: number): number[] {
  const gains = filled(closes.length);
  const losses = filled(closes.length);
  for (let i = 1; i < closes.length; i++) {
    const d = closes[i]! - closes[i - 1]!;
    gains[i] = Math.max(d, 0);
    losses[i] = Math.max(-d, 0);
  }
  const ag = wilderSeries(gains, p, 1);
  const al = wilderSeries(losses, p, 1);
  return ag.map((g, i) => (Number.isNaN(g) ? NaN_ : al[i] === 0 ? (g === 0 ? 50 : 100) : 100 - 100 / (1 + g / al[i]!)));
}

function trueRange(high: number, low: number, prevClose: number): number {
  return Math.max(high - low, Math.abs(high - prevClose), Math.abs(low - prevClose));
}

/** TA-Lib ATR(p): TR from the second bar, first ATR = mean of the first p TR, then Wilder. */
function atrSeries(highs: readonly number[], lows: readonly number[], closes: readonly number[], p: number): number[] {
  const tr = filled(closes.length);
  for (let i = 1; i < closes.length; i++) tr[i] = trueRange(highs[i]!, lows[i]!, closes[i - 1]!);
  return wilderSeries(tr, p, 1);
}

interface LaguerreState {
  l0: number;
  l1: number;
  l2: number;
  l3: number;
}

function laguerreNext(s: LaguerreState, g: number, price: number): LaguerreState {
  const l0 = (1 - g) * price + g * s.l0;
  const l1 = -g * l0 + s.l0 + g * s.l1;
  const l2 = -g * l1 + s.l1 + g * s.l2;
  const l3 = -g * l2 + s.l2 + g * s.l3;
  return { l0, l1, l2, l3 };
}

const laguerreFilter = (s: LaguerreState): number => (s.l0 + 2 * s.l1 + 2 * s.l2 + s.l3) / 6;

function laguerreRsiOf(s: LaguerreState): number {
  const steps = [s.l0 - s.l1, s.l1 - s.l2, s.l2 - s.l3];
  const cu = steps.filter((d) => d >= 0).reduce((a, d) => a + d, 0);
  const cd = steps.filter((d) => d < 0).reduce((a, d) => a - d, 0);
  return cu + cd === 0 ? NaN_ : cu / (cu + cd);
}

/** Daily bars built from the regular-session minutes, one per session seen. */
export function dailyFromMinutes(series: RefSeries): RefDay[] {
  const days: RefDay[] = [];
  for (let i = 0; i < series.bars.length; i++) {
    const b = series.bars[i]!;
    const date = series.sessions[i]!.date;
    const last = days[days.length - 1];
    if (!last || last.date !== date) {
      days.push({ date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume });
    } else {
      last.high = Math.max(last.high, b.high);
      last.low = Math.min(last.low, b.low);
      last.close = b.close;
      last.volume += b.volume;
    }
  }
  return days;
}

/** Every daily bar of the series dated strictly before `date` (seeded days, then minute-built ones). */
export function daysBefore(series: RefSeries, date: string): RefDay[] {
  const seeded = (series.seedDaily ?? []).filter((d) => d.date < date);
  const lastSeeded = seeded.length ? seeded[seeded.length - 1]!.date : '';
  return [...seeded, ...dailyFromMinutes(series).filter((d) => d.date < date && d.date > lastSeeded)];
}

export interface DailyContext {
  d_ret_1: number;
  d_mom_5: number;
  d_mom_10: number;
  d_mom_20: number;
  d_atr_14_pct: number;
  d_sma_20_dist: number;
  d_sma_50_dist: number;
  d_dollar_vol_5: number;
  d_dollar_vol_20: number;
}

export function dailyContextOf(days: readonly RefDay[]): DailyContext {
  const n = days.length;
  const C = (back: number): number => (n - back >= 0 ? days[n - back]!.close : NaN_);
  const closes = days.map((d) => d.close);
  const dollar = days.map((d) => d.close * d.volume);
  const atr = atrSeries(
    days.map((d) => d.high),
    days.map((d) => d.low),
    closes,
    14,
  );
  return {
    d_ret_1: Math.log(C(1) / C(2)),
    d_mom_5: Math.log(C(1) / C(6)),
    d_mom_10: Math.log(C(1) / C(11)),
    d_mom_20: Math.log(C(1) / C(21)),
    d_atr_14_pct: n >= 1 ? atr[n - 1]! / C(1) : NaN_,
    d_sma_20_dist: n >= 20 ? C(1) / meanRange(closes, n - 20, n - 1) - 1 : NaN_,
    d_sma_50_dist: n >= 50 ? C(1) / meanRange(closes, n - 50, n - 1) - 1 : NaN_,
    d_dollar_vol_5: n >= 5 ? Math.log(meanRange(dollar, n - 5, n - 1)) : NaN_,
    d_dollar_vol_20: n >= 20 ? Math.log(meanRange(dollar, n - 20, n - 1)) : NaN_,
  };
}

/** σ (population) of the last 20 daily log returns × √252 × 100; NaN with fewer than 21 days. */
export function vixProxyOf(days: readonly RefDay[]): number {
  const n = days.length;
  if (n < 21) return NaN_;
  const r: number[] = [];
  for (let i = n - 20; i < n; i++) r.push(Math.log(days[i]!.close / days[i - 1]!.close));
  return popSd(r, 0, r.length - 1) * Math.sqrt(252) * 100;
}

/** ret_1 of an index by bar start (absent for its first bar, which has no return). */
function returnsByStart(index: RefSeries): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 1; i < index.bars.length; i++) m.set(index.bars[i]!.start, Math.log(index.bars[i]!.close / index.bars[i - 1]!.close));
  return m;
}

/**
 * Pearson correlation and beta of own ret_1 against the index's ret_1 over the last 60 minutes in
 * which both have a bar, up to bar t−1.
 */
function corrBetaSeries(own: RefSeries, ownRet: readonly number[], index: RefSeries | undefined): { corr: number[]; beta: number[] } {
  const T = own.bars.length;
  const corr = filled(T);
  const beta = filled(T);
  if (!index) return { corr, beta };
  const idx = returnsByStart(index);
  for (let t = 0; t < T; t++) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = t - 1; i >= 1 && xs.length < 60; i--) {
      const y = idx.get(own.bars[i]!.start);
      if (y === undefined) continue;
      xs.push(ownRet[i]!);
      ys.push(y);
    }
    if (xs.length < 60) continue;
    const mx = meanRange(xs, 0, 59);
    const my = meanRange(ys, 0, 59);
    let cov = 0;
    let vx = 0;
    let vy = 0;
    for (let j = 0; j < 60; j++) {
      cov += (xs[j]! - mx) * (ys[j]! - my);
      vx += (xs[j]! - mx) ** 2;
      vy += (ys[j]! - my) ** 2;
    }
    cov /= 60;
    vx /= 60;
    vy /= 60;
    corr[t] = vx > 0 && vy > 0 ? cov / Math.sqrt(vx * vy) : NaN_;
    beta[t] = vy > 0 ? cov / vy : NaN_;
  }
  return { corr, beta };
}

/**
 * Feature rows of one symbol (FEATURE_NAMES order), computed in batch from the whole series. No
 * quotes are given to the reference, so quote_imbalance is NaN throughout.
 */
export function referenceFeatures(series: RefSeries, market: RefMarket = {}, options: RefOptions = { gamma: 0.5, openingRangeMinutes: 30 }): number[][] {
  const { bars, sessions } = series;
  const T = bars.length;
  const o = bars.map((b) => b.open);
  const h = bars.map((b) => b.high);
  const l = bars.map((b) => b.low);
  const c = bars.map((b) => b.close);
  const v = bars.map((b) => b.volume);
  const col: Record<string, number[]> = {};
  const put = (name: string): number[] => (col[name] = filled(T));

  // ---- returns
  const ret1 = filled(T);
  for (const k of [1, 5, 15, 60]) {
    const out = put(`ret_${k}`);
    for (let t = k; t < T; t++) out[t] = Math.log(c[t]! / c[t - k]!);
    if (k === 1) for (let t = 1; t < T; t++) ret1[t] = out[t]!;
  }

  // ---- RSI
  col.rsi_2 = rsiSeries(c, 2);
  col.rsi_5 = rsiSeries(c, 5);
  col.rsi_14 = rsiSeries(c, 14);

  // ---- EMAs, MACD
  const ema = (p: number): number[] => emaSeries(c, p);
  const e9 = ema(9);
  const e12 = ema(12);
  const e20 = ema(20);
  const e26 = ema(26);
  const e50 = ema(50);
  const macd = e12.map((x, t) => x - e26[t]!);
  const firstMacd = macd.findIndex((x) => !Number.isNaN(x));
  const signal = firstMacd < 0 ? filled(T) : emaSeries(macd, 9, firstMacd);
  col.macd = macd;
  col.macd_signal = signal;
  col.macd_hist = macd.map((m, t) => m - signal[t]!);
  col.ema_9_dist = c.map((x, t) => x / e9[t]! - 1);
  col.ema_20_dist = c.map((x, t) => x / e20[t]! - 1);
  col.ema_50_dist = c.map((x, t) => x / e50[t]! - 1);

  // ---- SMAs, Bollinger
  for (const p of [9, 20, 50]) {
    const out = put(`sma_${p}_dist`);
    for (let t = p - 1; t < T; t++) out[t] = c[t]! / meanRange(c, t - p + 1, t) - 1;
  }
  const pctb = put('bb_pctb');
  const width = put('bb_width');
  for (let t = 19; t < T; t++) {
    const mid = meanRange(c, t - 19, t);
    const sd = popSd(c, t - 19, t);
    const upper = mid + 2 * sd;
    const lower = mid - 2 * sd;
    pctb[t] = sd === 0 ? NaN_ : (c[t]! - lower) / (upper - lower);
    width[t] = (upper - lower) / mid;
  }

  // ---- ATR, OBV
  const atr = atrSeries(h, l, c, 14);
  col.atr_pct = atr.map((a, t) => a / c[t]!);
  const obv = [0];
  for (let t = 1; t < T; t++) obv.push(obv[t - 1]! + (c[t]! > c[t - 1]! ? v[t]! : c[t]! < c[t - 1]! ? -v[t]! : 0));
  const obvSlope = put('obv_slope_20');
  for (let t = 20; t < T; t++) obvSlope[t] = (obv[t]! - obv[t - 20]!) / sumRange(v, t - 19, t);

  // ---- realised volatility
  const rv10 = put('rv_10');
  const rv60 = put('rv_60');
  const volRatio = put('vol_ratio');
  for (let t = 10; t < T; t++) rv10[t] = popSd(ret1, t - 9, t);
  for (let t = 60; t < T; t++) {
    rv60[t] = popSd(ret1, t - 59, t);
    volRatio[t] = rv60[t] === 0 ? NaN_ : rv10[t]! / rv60[t]!;
  }

  // ---- volume
  const vz = put('volume_z_20');
  for (let t = 19; t < T; t++) {
    const sd = popSd(v, t - 19, t);
    vz[t] = sd === 0 ? NaN_ : (v[t]! - meanRange(v, t - 19, t)) / sd;
  }
  const vp = put('volume_pctile_390');
  for (let t = 389; t < T; t++) {
    let le = 0;
    for (let i = t - 389; i <= t; i++) if (v[i]! <= v[t]!) le++;
    vp[t] = le / 390;
  }
  put('quote_imbalance');

  // ---- session-anchored: VWAP, signed volume delta, opening range, gap, clock
  const vwapDist = put('vwap_dist');
  const svd = put('signed_volume_delta');
  const orHigh = put('or_high_dist');
  const orLow = put('or_low_dist');
  const orUp = put('or_breakout_up');
  const orDown = put('or_breakout_down');
  const gap = put('gap_pct');
  const sinceOpen = put('minutes_since_open');
  const toClose = put('minutes_to_close');
  let first = 0; // index of the session's first bar
  for (let t = 0; t < T; t++) {
    const s = sessions[t]!;
    if (t > 0 && sessions[t - 1]!.date !== s.date) first = t;
    let pv = 0;
    let vol = 0;
    let signed = 0;
    let sign = 1;
    for (let i = first; i <= t; i++) {
      pv += ((h[i]! + l[i]! + c[i]!) / 3) * v[i]!;
      vol += v[i]!;
      if (i > first) sign = c[i]! > c[i - 1]! ? 1 : c[i]! < c[i - 1]! ? -1 : sign;
      signed += sign * v[i]!;
    }
    vwapDist[t] = vol > 0 ? c[t]! / (pv / vol) - 1 : NaN_;
    svd[t] = vol > 0 ? signed / vol : NaN_;
    const rangeEnd = s.open + options.openingRangeMinutes * MINUTE;
    let hi = -Infinity;
    let lo = Infinity;
    for (let i = first; i <= t; i++) {
      if (bars[i]!.start < rangeEnd) {
        hi = Math.max(hi, h[i]!);
        lo = Math.min(lo, l[i]!);
      }
    }
    if (bars[t]!.start + MINUTE >= rangeEnd && hi !== -Infinity) {
      orHigh[t] = c[t]! / hi - 1;
      orLow[t] = c[t]! / lo - 1;
      orUp[t] = c[t]! > hi ? 1 : 0;
      orDown[t] = c[t]! < lo ? 1 : 0;
    }
    gap[t] = first > 0 ? o[first]! / c[first - 1]! - 1 : NaN_;
    sinceOpen[t] = (bars[t]!.start + MINUTE - s.open) / MINUTE;
    toClose[t] = (s.close - (bars[t]!.start + MINUTE)) / MINUTE;
  }

  // ---- Laguerre (Ehlers), fixed and adaptive gamma
  const lagDist = put('laguerre_dist');
  const lagRsi = put('laguerre_rsi');
  const adDist = put('laguerre_adaptive_dist');
  let lag: LaguerreState = { l0: 0, l1: 0, l2: 0, l3: 0 };
  let adaptive: LaguerreState | null = null;
  for (let t = 0; t < T; t++) {
    const x = c[t]!;
    lag = t === 0 ? { l0: x, l1: x, l2: x, l3: x } : laguerreNext(lag, options.gamma, x);
    lagDist[t] = x / laguerreFilter(lag) - 1;
    lagRsi[t] = laguerreRsiOf(lag);
    if (!Number.isNaN(atr[t]!)) {
      const g = Math.min(0.9, Math.max(0.1, 1 - (100 * atr[t]!) / x));
      adaptive = adaptive === null ? { l0: x, l1: x, l2: x, l3: x } : laguerreNext(adaptive, g, x);
      adDist[t] = x / laguerreFilter(adaptive) - 1;
    }
  }

  // ---- support / resistance
  const sup = put('support_dist_60');
  const res = put('resistance_dist_60');
  for (let t = 59; t < T; t++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = t - 59; i <= t; i++) {
      lo = Math.min(lo, l[i]!);
      hi = Math.max(hi, h[i]!);
    }
    sup[t] = (c[t]! - lo) / c[t]!;
    res[t] = (hi - c[t]!) / c[t]!;
  }

  // ---- daily context and VIX, fixed per session
  const dailyNames = ['d_ret_1', 'd_mom_5', 'd_mom_10', 'd_mom_20', 'd_atr_14_pct', 'd_sma_20_dist', 'd_sma_50_dist', 'd_dollar_vol_5', 'd_dollar_vol_20'] as const;
  for (const n of dailyNames) put(n);
  const vixLevel = put('vix_level');
  const vixIsProxy = put('vix_is_proxy');
  const vix = [...(market.vix ?? [])].filter((r) => Number.isFinite(r.close)).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const perSession = new Map<string, { ctx: DailyContext; vix: number; proxy: number }>();
  for (let t = 0; t < T; t++) {
    const date = sessions[t]!.date;
    let day = perSession.get(date);
    if (!day) {
      const ctx = dailyContextOf(daysBefore(series, date));
      const known = vix.filter((r) => r.date < date);
      let level = known.length ? known[known.length - 1]!.close : NaN_;
      let proxy = 0;
      if (Number.isNaN(level)) {
        level = market.spy ? vixProxyOf(daysBefore(market.spy, date)) : NaN_;
        proxy = 1;
      }
      day = { ctx, vix: level, proxy: Number.isNaN(level) ? NaN_ : proxy };
      perSession.set(date, day);
    }
    for (const n of dailyNames) col[n]![t] = day.ctx[n];
    vixLevel[t] = day.vix;
    vixIsProxy[t] = day.proxy;
  }

  // ---- market context
  const spy = corrBetaSeries(series, ret1, market.spy);
  const qqq = corrBetaSeries(series, ret1, market.qqq);
  col.corr_spy_60 = spy.corr;
  col.beta_spy_60 = spy.beta;
  col.corr_qqq_60 = qqq.corr;
  col.beta_qqq_60 = qqq.beta;

  const missing = FEATURE_NAMES.filter((n) => !col[n]);
  if (missing.length) throw new Error(`reference lacks ${missing.join(', ')}`);
  const rows: number[][] = [];
  for (let t = 0; t < T; t++) rows.push(FEATURE_NAMES.map((n) => col[n]![t]!));
  return rows;
}
