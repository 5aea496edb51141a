// The declared feature spec: every feature's name, its place in the vector, the spec's version and
// the warm-up a symbol needs. Models record the spec they were trained on; an engine computing
// another spec refuses such a model. Change a definition → bump FEATURE_SPEC_VERSION.
//
// Conventions (each is what a trader would check):
// - Computed on REGULAR-session 1-minute bars only, in time order per symbol; "n bars back" counts
//   regular bars, so it reaches into the previous session across the close.
// - A value at bar t uses bar t's close and earlier data only; features are emitted when bar t closes.
// - During warm-up a feature is NaN (never a made-up value) and its warm flag is false.
// - Returns are natural-log returns. Standard deviations are population (divide by n), as in TA-Lib.
// - Session resets at each regular open: session VWAP, opening range, signed volume delta, gap.
//   Nothing else resets.

export const FEATURE_SPEC_VERSION = '1.0.0';

export interface FeatureDef {
  name: string;
  /** Bars of the symbol's own history needed before the value exists (0 = from the first bar). */
  warmup: number;
  group: 'returns' | 'momentum' | 'trend' | 'volatility' | 'volume' | 'session' | 'levels' | 'daily' | 'market';
  doc: string;
}

export const FEATURES: readonly FeatureDef[] = [
  { name: 'ret_1', warmup: 1, group: 'returns', doc: 'ln(close_t / close_{t-1})' },
  { name: 'ret_5', warmup: 5, group: 'returns', doc: 'ln(close_t / close_{t-5})' },
  { name: 'ret_15', warmup: 15, group: 'returns', doc: 'ln(close_t / close_{t-15})' },
  { name: 'ret_60', warmup: 60, group: 'returns', doc: 'ln(close_t / close_{t-60})' },
  { name: 'rsi_2', warmup: 2, group: 'momentum', doc: "Wilder RSI(2), TA-Lib: first averages are the simple means of the first n gains/losses, then avg = (avg*(n-1) + x)/n; 100 when avgLoss = 0 < avgGain, 50 when both are 0 (no movement)" },
  { name: 'rsi_5', warmup: 5, group: 'momentum', doc: 'Wilder RSI(5), as rsi_2' },
  { name: 'rsi_14', warmup: 14, group: 'momentum', doc: 'Wilder RSI(14), as rsi_2' },
  { name: 'macd', warmup: 25, group: 'momentum', doc: 'EMA12(close) - EMA26(close); each EMA seeded with the SMA of its first n closes, k = 2/(n+1); defined from the 26th bar' },
  { name: 'macd_signal', warmup: 33, group: 'momentum', doc: 'EMA9 of macd, seeded with the SMA of the first 9 macd values' },
  { name: 'macd_hist', warmup: 33, group: 'momentum', doc: 'macd - macd_signal' },
  { name: 'vwap_dist', warmup: 0, group: 'session', doc: 'close / sessionVWAP - 1; VWAP = Σ(typical·volume)/Σvolume since the open, typical = (h+l+c)/3; NaN while Σvolume = 0' },
  { name: 'bb_pctb', warmup: 19, group: 'volatility', doc: 'Bollinger(20, 2) %B = (close - lower)/(upper - lower), middle = SMA20, bands = middle ± 2·σ20 (population); NaN when σ = 0 (20 equal closes)' },
  { name: 'bb_width', warmup: 19, group: 'volatility', doc: '(upper - lower) / middle' },
  { name: 'atr_pct', warmup: 14, group: 'volatility', doc: 'ATR(14)/close; TR_t = max(h-l, |h-c_{t-1}|, |l-c_{t-1}|) from the second bar; ATR first = mean of the first 14 TR, then Wilder' },
  { name: 'obv_slope_20', warmup: 20, group: 'volume', doc: '(OBV_t - OBV_{t-20}) / Σ volume of bars t-19..t; OBV adds +v on an up close, -v on a down close, 0 unchanged' },
  { name: 'ema_9_dist', warmup: 8, group: 'trend', doc: 'close/EMA9 - 1 (EMA seeded with SMA of first 9)' },
  { name: 'ema_20_dist', warmup: 19, group: 'trend', doc: 'close/EMA20 - 1' },
  { name: 'ema_50_dist', warmup: 49, group: 'trend', doc: 'close/EMA50 - 1' },
  { name: 'sma_9_dist', warmup: 8, group: 'trend', doc: 'close/SMA9 - 1' },
  { name: 'sma_20_dist', warmup: 19, group: 'trend', doc: 'close/SMA20 - 1' },
  { name: 'sma_50_dist', warmup: 49, group: 'trend', doc: 'close/SMA50 - 1' },
  { name: 'rv_10', warmup: 10, group: 'volatility', doc: 'σ of the last 10 ret_1 values (population)' },
  { name: 'rv_60', warmup: 60, group: 'volatility', doc: 'σ of the last 60 ret_1 values (population)' },
  { name: 'vol_ratio', warmup: 60, group: 'volatility', doc: 'rv_10 / rv_60; NaN when rv_60 = 0' },
  { name: 'volume_z_20', warmup: 19, group: 'volume', doc: '(v - mean20(v)) / σ20(v), population; NaN when σ = 0' },
  { name: 'volume_pctile_390', warmup: 389, group: 'volume', doc: 'share of the last 390 volumes (this bar included) that are ≤ v' },
  { name: 'signed_volume_delta', warmup: 0, group: 'volume', doc: 'Σ sign·v / Σ v since the open; sign by the tick rule on closes (+1 up, -1 down, previous sign when unchanged, +1 for the first bar of each session)' },
  { name: 'quote_imbalance', warmup: 0, group: 'volume', doc: '(bidSize - askSize)/(bidSize + askSize) of the latest quote at or before the bar close; NaN without quotes' },
  { name: 'laguerre_dist', warmup: 0, group: 'trend', doc: 'close / Laguerre filter - 1; Ehlers 4-element Laguerre filter with gamma (default 0.5), L0..L3 start at the first close' },
  { name: 'laguerre_rsi', warmup: 1, group: 'momentum', doc: 'Ehlers Laguerre RSI with the same gamma, in [0, 1]; NaN when CU + CD = 0' },
  { name: 'laguerre_adaptive_dist', warmup: 14, group: 'trend', doc: 'close / adaptive Laguerre filter - 1; gamma_t = clamp(1 - 100·ATR14/close, 0.1, 0.9): calmer markets smooth more' },
  { name: 'support_dist_60', warmup: 59, group: 'levels', doc: '(close - min low of the last 60 bars) / close' },
  { name: 'resistance_dist_60', warmup: 59, group: 'levels', doc: '(max high of the last 60 bars - close) / close' },
  { name: 'or_high_dist', warmup: 0, group: 'session', doc: 'close / opening-range high - 1; the range is the first 30 minutes of the session (NaN until it is complete)' },
  { name: 'or_low_dist', warmup: 0, group: 'session', doc: 'close / opening-range low - 1 (NaN until the range is complete)' },
  { name: 'or_breakout_up', warmup: 0, group: 'session', doc: '1 when close > opening-range high after the range is complete, else 0 (NaN before)' },
  { name: 'or_breakout_down', warmup: 0, group: 'session', doc: '1 when close < opening-range low after the range is complete, else 0 (NaN before)' },
  { name: 'gap_pct', warmup: 0, group: 'session', doc: "session's first open / previous regular close - 1 (NaN for the first session seen)" },
  { name: 'minutes_since_open', warmup: 0, group: 'session', doc: '(bar close - session open) in minutes, calendar-aware' },
  { name: 'minutes_to_close', warmup: 0, group: 'session', doc: '(session close - bar close) in minutes; 13:00 closes included' },
  { name: 'd_ret_1', warmup: 0, group: 'daily', doc: 'prior session return: ln(C_{d-1}/C_{d-2}) of daily (regular-session) bars before today' },
  { name: 'd_mom_5', warmup: 0, group: 'daily', doc: 'ln(C_{d-1}/C_{d-6})' },
  { name: 'd_mom_10', warmup: 0, group: 'daily', doc: 'ln(C_{d-1}/C_{d-11})' },
  { name: 'd_mom_20', warmup: 0, group: 'daily', doc: 'ln(C_{d-1}/C_{d-21})' },
  { name: 'd_atr_14_pct', warmup: 0, group: 'daily', doc: 'daily ATR(14) (TA-Lib/Wilder over prior days) / C_{d-1}' },
  { name: 'd_sma_20_dist', warmup: 0, group: 'daily', doc: 'C_{d-1} / SMA20 of prior daily closes - 1' },
  { name: 'd_sma_50_dist', warmup: 0, group: 'daily', doc: 'C_{d-1} / SMA50 of prior daily closes - 1' },
  { name: 'd_dollar_vol_5', warmup: 0, group: 'daily', doc: 'ln of mean(close·volume) over the prior 5 sessions' },
  { name: 'd_dollar_vol_20', warmup: 0, group: 'daily', doc: 'ln of mean(close·volume) over the prior 20 sessions' },
  { name: 'corr_spy_60', warmup: 61, group: 'market', doc: "Pearson correlation of the symbol's ret_1 with SPY's ret_1 over the last 60 minutes both have a bar, up to bar t-1" },
  { name: 'beta_spy_60', warmup: 61, group: 'market', doc: 'cov(r, r_SPY)/var(r_SPY) over the same pairs' },
  { name: 'corr_qqq_60', warmup: 61, group: 'market', doc: 'as corr_spy_60 against QQQ' },
  { name: 'beta_qqq_60', warmup: 61, group: 'market', doc: 'as beta_spy_60 against QQQ' },
  { name: 'vix_level', warmup: 0, group: 'market', doc: "VIX close of the last day before today (a close more than 10 calendar days old counts as missing); when missing, a proxy: σ of SPY's last 20 daily log returns before today × √252 × 100" },
  { name: 'vix_is_proxy', warmup: 0, group: 'market', doc: '1 when vix_level is the SPY realised-volatility proxy, 0 when it is VIX' },
];

export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);
export const FEATURE_COUNT = FEATURES.length;
export const FEATURE_INDEX: Readonly<Record<string, number>> = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, i]));
/** Bars of a symbol's own history before every intraday feature can be warm. */
export const WARMUP_BARS = Math.max(...FEATURES.map((f) => f.warmup));

export interface FeatureSpecId {
  version: string;
  names: readonly string[];
  warmup: number;
}

export const FEATURE_SPEC: FeatureSpecId = Object.freeze({ version: FEATURE_SPEC_VERSION, names: FEATURE_NAMES, warmup: WARMUP_BARS });

export class FeatureSpecMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeatureSpecMismatchError';
  }
}

/** Refuses a model trained on another spec, saying exactly what differs. */
export function assertSameSpec(model: { version: string; names: readonly string[] }, engine: FeatureSpecId = FEATURE_SPEC): void {
  if (model.version !== engine.version) {
    throw new FeatureSpecMismatchError(`the model was trained on feature spec ${model.version}; this engine computes ${engine.version}`);
  }
  if (model.names.length !== engine.names.length || model.names.some((n, i) => n !== engine.names[i])) {
    const d = model.names.findIndex((n, k) => n !== engine.names[k]);
    const i = d === -1 ? Math.min(model.names.length, engine.names.length) : d;
    throw new FeatureSpecMismatchError(
      `the model's features differ from this engine's (${model.names.length} vs ${engine.names.length}; first difference at #${i}: ` +
        `${model.names[i] ?? '(none)'} vs ${engine.names[i] ?? '(none)'})`,
    );
  }
}
