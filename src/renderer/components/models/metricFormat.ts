// How model metrics read in the Models panel. A metric the engine could not measure arrives as NaN
// (JSON turns NaN and Infinity into null) and is shown as a dash, never as 0.
export const NOT_MEASURED = '—';

const count = new Intl.NumberFormat('en-US');

const measured = (v: number): boolean => Number.isFinite(v);

/** Log loss, Brier: four decimals, enough to see a 0.001 improvement. */
export function formatLoss(v: number): string {
  return measured(v) ? v.toFixed(4) : NOT_MEASURED;
}

/** A share (accuracy, hit rate, precision, ECE) as a percent with one decimal. */
export function formatShare(v: number): string {
  return measured(v) ? `${(v * 100).toFixed(1)}%` : NOT_MEASURED;
}

/** A return in return units as signed basis points (0.00012 → +1.2 bp). */
export function formatReturnBp(v: number): string {
  if (!measured(v)) return NOT_MEASURED;
  const bp = v * 10_000;
  const text = Math.abs(bp).toFixed(1);
  if (Number(text) === 0) return `${text} bp`;
  return `${bp > 0 ? '+' : '-'}${text} bp`;
}

/** Profit factor and other ratios. */
export function formatRatio(v: number): string {
  return measured(v) ? v.toFixed(2) : NOT_MEASURED;
}

export function formatCount(v: number): string {
  return measured(v) ? count.format(v) : NOT_MEASURED;
}

/**
 * Whether a model's log loss beats a reference (the prior, the active model): 'better', 'worse', or
 * 'unknown' when either side was not measured. Lower is better.
 */
export function lossVerdict(loss: number, reference: number): 'better' | 'worse' | 'unknown' {
  if (!measured(loss) || !measured(reference)) return 'unknown';
  return loss < reference ? 'better' : 'worse';
}
