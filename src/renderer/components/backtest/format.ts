// How a backtest's numbers read. Returns, drawdowns and shares arrive as fractions (0.05 is 5 %), the
// random runs' percentile in percent, money in dollars. A value the engine could not measure arrives
// as null (JSON has no NaN or Infinity) and is shown as a dash, never as 0.
export const NOT_MEASURED = '—';

const count = new Intl.NumberFormat('en-US');
const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const measured = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A return as a signed percent: 0.0123 → +1.23%. */
export function formatReturn(v: number | null | undefined): string {
  if (!measured(v)) return NOT_MEASURED;
  const text = Math.abs(v * 100).toFixed(2);
  if (Number(text) === 0) return `${text}%`;
  return `${v > 0 ? '+' : '-'}${text}%`;
}

/** A drawdown's depth as a percent, whichever sign the engine gives it: -0.042 and 0.042 → 4.20%. */
export function formatDrawdown(v: number | null | undefined): string {
  return measured(v) ? `${Math.abs(v * 100).toFixed(2)}%` : NOT_MEASURED;
}

/** A share (win rate, exposure) as a percent with one decimal. */
export function formatShare(v: number | null | undefined): string {
  return measured(v) ? `${(v * 100).toFixed(1)}%` : NOT_MEASURED;
}

/** A percentile already in percent: 37.5 → 37.5%. */
export function formatPercentile(v: number | null | undefined): string {
  return measured(v) ? `${v.toFixed(1)}%` : NOT_MEASURED;
}

/** Sharpe, Sortino, Calmar, profit factor. */
export function formatRatio(v: number | null | undefined): string {
  return measured(v) ? v.toFixed(2) : NOT_MEASURED;
}

/** Dollars with cents and thousands separators; `signed` puts a + on gains (P&L). */
export function formatMoney(v: number | null | undefined, signed = false): string {
  if (!measured(v)) return NOT_MEASURED;
  const text = money.format(Math.abs(v));
  // An amount that rounds to zero is shown unsigned, so it does not read as a gain or loss.
  if (Number(Math.abs(v).toFixed(2)) === 0) return text;
  if (v < 0) return `-${text}`;
  return signed ? `+${text}` : text;
}

export function formatCount(v: number | null | undefined): string {
  return measured(v) ? count.format(Math.round(v)) : NOT_MEASURED;
}

/** Bars replayed per second, rounded: 12345.6 → "12,346 bars/s". */
export function formatBarsPerSecond(v: number | null | undefined): string {
  return measured(v) ? `${count.format(Math.round(v))} bars/s` : `${NOT_MEASURED} bars/s`;
}

/** Seconds left as m:ss, or h:mm:ss past an hour; a dash while unknown. */
export function formatEta(seconds: number | null | undefined): string {
  if (!measured(seconds) || seconds < 0) return NOT_MEASURED;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A 0..1 fraction done as a whole percent, never 100 before the end. */
export function percentDone(fraction: number, ended: boolean): number {
  if (ended) return Math.round(fraction * 100);
  return Math.min(99, Math.floor(fraction * 100));
}
