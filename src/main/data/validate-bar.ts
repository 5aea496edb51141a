// One definition of a bad bar, used by every feed and importer: such a bar is dropped and counted
// by reason, never passed on to the features.
import type { Bar } from '../../shared/domain';

export type BarRejection =
  | 'non_numeric'
  | 'non_positive_price'
  | 'high_below_open_close'
  | 'low_above_open_close'
  | 'negative_volume'
  | 'bad_timestamp';

/** The reason the bar is bad, or null when it is sound on its own (ordering is checked by the caller). */
export function checkBar(bar: Bar): BarRejection | null {
  const { open, high, low, close, volume, start } = bar;
  if (!Number.isFinite(open) || !Number.isFinite(high) || !Number.isFinite(low) || !Number.isFinite(close) || !Number.isFinite(volume)) {
    return 'non_numeric';
  }
  if (!Number.isInteger(start) || start <= 0) return 'bad_timestamp';
  if (open <= 0 || high <= 0 || low <= 0 || close <= 0) return 'non_positive_price';
  if (high < Math.max(open, close)) return 'high_below_open_close';
  if (low > Math.min(open, close)) return 'low_above_open_close';
  if (volume < 0) return 'negative_volume';
  return null;
}
