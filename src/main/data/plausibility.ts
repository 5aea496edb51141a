// Strict number parsing and plausibility bounds for market data, shared by every ingest point
// (imports, vendor bars, quotes). `Number()` accepts "0x10", "1e308", " 12 ", "Infinity" and ""
// (as 0); prices in files and vendor messages are plain decimals, so anything else is refused.

/** The widest price any US equity or ETF has traded at, with headroom (BRK.A is below 1e6). */
export const MAX_PLAUSIBLE_PRICE = 10_000_000;
/** Sub-penny prices exist (OTC, crypto-like tickers); zero and below are refused elsewhere. */
export const MIN_PLAUSIBLE_PRICE = 0.0001;
/** Shares in one minute bar: far above any single name's record minute volume. */
export const MAX_PLAUSIBLE_VOLUME = 1e12;

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * A plain decimal ("126.5", "-3", ".25", "7."), else NaN: no hex, octal or binary prefixes, no
 * exponent, no Infinity, no surrounding text. Leading and trailing blanks are allowed (CSV padding).
 */
export function parseDecimal(text: string | undefined): number {
  if (text === undefined) return Number.NaN;
  const t = text.trim();
  if (t.length === 0 || !DECIMAL.test(t)) return Number.NaN;
  // Four hundred digits are a plain decimal too, and Number() makes them Infinity.
  const n = Number(t);
  return Number.isFinite(n) ? n : Number.NaN;
}

/** True for a finite price inside the plausible band. */
export function isPlausiblePrice(price: number): boolean {
  return Number.isFinite(price) && price >= MIN_PLAUSIBLE_PRICE && price <= MAX_PLAUSIBLE_PRICE;
}

/** True for a finite, non-negative volume inside the plausible band. */
export function isPlausibleVolume(volume: number): boolean {
  return Number.isFinite(volume) && volume >= 0 && volume <= MAX_PLAUSIBLE_VOLUME;
}

/**
 * A one-minute bar may range at most this many times its low, plus {@link RANGE_SLACK}. Limit-up/
 * limit-down bands halt a listed stock long before a 10× move inside one minute (the 2010
 * flash-crash stub prints that went further were busted as erroneous); real minutes range far less
 * (the SPY month in ../shared/data peaks at 1.01×). The slack keeps sub-dollar names, where a few
 * ticks are a large ratio ($0.0001 → $0.0011), clear of the rule: there the price bounds judge.
 */
export const MAX_BAR_RANGE_RATIO = 10;
/** Dollars added to the range limit so penny and sub-penny bars are judged on price bounds alone. */
export const RANGE_SLACK = 1;
/** 2200-01-01 UTC: a later "epoch ms" is a seconds/micro/nanosecond mix-up, not a market time. */
export const MAX_PLAUSIBLE_TIME = Date.UTC(2200, 0, 1);

/** True when a bar's high lies within the plausible range of its low (both already plausible prices). */
export function isPlausibleRange(high: number, low: number): boolean {
  return high <= MAX_BAR_RANGE_RATIO * low + RANGE_SLACK;
}

/** True for a whole, positive epoch-ms instant before {@link MAX_PLAUSIBLE_TIME}. */
export function isPlausibleTime(ms: number): boolean {
  return Number.isInteger(ms) && ms > 0 && ms < MAX_PLAUSIBLE_TIME;
}
