// One definition of bad market data, used by every feed and importer: a bad bar, quote or print is
// dropped and counted by reason, never cached, stored or passed on to the features.
import type { Bar, QuoteTick, Trade } from '../../shared/domain';
import { isPlausiblePrice, isPlausibleRange, isPlausibleTime, isPlausibleVolume } from './plausibility';

export type BarRejection =
  | 'non_numeric'
  | 'non_positive_price'
  | 'implausible_price'
  | 'high_below_open_close'
  | 'low_above_open_close'
  | 'implausible_range'
  | 'negative_volume'
  | 'implausible_volume'
  | 'bad_timestamp';

/** Why a vendor's quote or print is refused (the details are in the notice, not the reason). */
export type TickRejection = 'implausible_quote' | 'implausible_trade';

/** The reason the bar is bad, or null when it is sound on its own (ordering is checked by the caller). */
export function checkBar(bar: Bar): BarRejection | null {
  const { open, high, low, close, volume, start } = bar;
  if (!Number.isFinite(open) || !Number.isFinite(high) || !Number.isFinite(low) || !Number.isFinite(close) || !Number.isFinite(volume)) {
    return 'non_numeric';
  }
  if (!isPlausibleTime(start)) return 'bad_timestamp';
  if (open <= 0 || high <= 0 || low <= 0 || close <= 0) return 'non_positive_price';
  if (!isPlausiblePrice(open) || !isPlausiblePrice(high) || !isPlausiblePrice(low) || !isPlausiblePrice(close)) return 'implausible_price';
  if (high < Math.max(open, close)) return 'high_below_open_close';
  if (low > Math.min(open, close)) return 'low_above_open_close';
  if (!isPlausibleRange(high, low)) return 'implausible_range';
  if (volume < 0) return 'negative_volume';
  if (!isPlausibleVolume(volume)) return 'implausible_volume';
  return null;
}

/** A size that can be shares on a book or in a print: finite, non-negative, below the volume bound. */
const soundSize = (size: number): boolean => isPlausibleVolume(size);

/** One side of a quote: a plausible price, or an empty side (price 0 with size 0: no bid, no offer). */
const soundSide = (price: number, size: number): boolean => soundSize(size) && (isPlausiblePrice(price) || (price === 0 && size === 0));

/** 'implausible_quote' when the quote carries a price or size no market shows, else null. */
export function checkQuote(q: QuoteTick): TickRejection | null {
  if (!isPlausibleTime(q.time) || !soundSide(q.bidPrice, q.bidSize) || !soundSide(q.askPrice, q.askSize)) return 'implausible_quote';
  return null;
}

/** 'implausible_trade' when the print's price, size or time is not a market's, else null. */
export function checkTrade(t: Trade): TickRejection | null {
  if (!isPlausibleTime(t.time) || !isPlausiblePrice(t.price) || !soundSize(t.size)) return 'implausible_trade';
  return null;
}
