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
  return Number(t);
}

/** True for a finite price inside the plausible band. */
export function isPlausiblePrice(price: number): boolean {
  return Number.isFinite(price) && price >= MIN_PLAUSIBLE_PRICE && price <= MAX_PLAUSIBLE_PRICE;
}

/** True for a finite, non-negative volume inside the plausible band. */
export function isPlausibleVolume(volume: number): boolean {
  return Number.isFinite(volume) && volume >= 0 && volume <= MAX_PLAUSIBLE_VOLUME;
}
