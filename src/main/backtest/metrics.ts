// A backtest's performance numbers from its equity curve, daily P&L and trades: returns, risk-adjusted
// ratios, drawdowns and trade statistics, as pure functions. Every number is finite (the result schema
// refuses NaN and Infinity): a ratio whose denominator is 0 is 0, and a few unbounded ones are capped.
import type { z } from 'zod';
import type { BacktestTrade, DailyPnl, EquityPoint, GroupPnlSchema, Metrics } from '../../shared/backtest';

export const TRADING_DAYS_PER_YEAR = 252;

/**
 * Profit factor with winners and no losing trade is unbounded; it is reported as this cap instead of
 * Infinity (and any larger ratio is capped too), so "999" reads as "no losses to speak of".
 */
export const PROFIT_FACTOR_CAP = 999;

/**
 * CAGR extrapolated from a few strong days can overflow a double; it is capped here (a 100,000,000 %
 * annual rate), which no real strategy reaches and which any reader sees as an extrapolation artefact.
 */
export const CAGR_CAP = 1e6;

export interface EquityMetricsInput {
  startEquity: number;
  /** Equity at minute marks, t ascending. */
  equity: EquityPoint[];
  /** One row per trading day, in date order; `equity` is the day's closing equity. */
  daily: DailyPnl[];
  trades: BacktestTrade[];
  /** Minutes with a position open, and the session minutes replayed. */
  exposureMinutes: number;
  sessionMinutes: number;
  /** Sum of |qty × price| over all fills. */
  tradedNotional: number;
}

/**
 * The run's metrics. Definitions:
 * - totalReturn = endEquity / startEquity − 1; endEquity is the last minute mark's equity (else the last
 *   daily close, else the start).
 * - cagr = (1 + totalReturn)^(252 / tradingDays) − 1 with tradingDays = daily.length; 0 with no days;
 *   −1 when the equity is wiped out (1 + totalReturn ≤ 0); capped at CAGR_CAP.
 * - sharpe = mean(r) / sd(r) × √252 over daily returns r (risk-free 0, sample sd with n − 1; 0 with fewer
 *   than 2 days or sd 0).
 * - sortino = mean(r) / dd × √252 with the downside deviation dd = √(mean over all days of min(r, 0)²);
 *   0 when no day lost.
 * - maxDrawdown: the largest fall from a running peak of the minute curve (the start equity counts as the
 *   first peak), as a positive fraction of that peak.
 * - maxDrawdownDays: the longest run of trading days whose close is below the highest earlier close (the
 *   start equity counts as the close before day 1).
 * - calmar = cagr / maxDrawdown; 0 without a drawdown.
 * - winRate = trades with pnl > 0 over all trades (a flat trade counts in neither wins nor losses but in
 *   the count); avgWin = mean pnl of winners (positive dollars); avgLoss = mean pnl of losers as NEGATIVE
 *   dollars (a loser's pnl as it is); both 0 when there are none.
 * - profitFactor = gross wins / |gross losses|, capped at PROFIT_FACTOR_CAP (the cap itself when there are
 *   wins and no losses; 0 with no wins).
 * - expectancy = mean trade pnl (net of fees); exposure = exposureMinutes / sessionMinutes;
 *   turnover = tradedNotional / startEquity; fees = sum of the trades' fees.
 */
export function equityMetrics(input: EquityMetricsInput): Metrics {
  const { startEquity, daily, trades } = input;
  const endEquity = endEquityOf(input);
  const totalReturn = startEquity === 0 ? 0 : endEquity / startEquity - 1;
  const cagr = annualisedReturn(totalReturn, daily.length);
  const returns = dailyReturns(startEquity, daily);
  const maxDrawdown = maxDrawdownOf([startEquity, ...input.equity.map((p) => p.equity)]);
  const stats = tradeStats(trades);
  return assertFinite({
    startEquity,
    endEquity,
    totalReturn,
    cagr,
    sharpe: sharpeRatio(returns),
    sortino: sortinoRatio(returns),
    calmar: safeDiv(cagr, maxDrawdown),
    maxDrawdown,
    maxDrawdownDays: longestDaysBelowPeak(startEquity, daily.map((d) => d.equity)),
    ...stats,
    exposure: safeDiv(input.exposureMinutes, input.sessionMinutes),
    trades: trades.length,
    turnover: safeDiv(input.tradedNotional, startEquity),
    fees: sum(trades.map((t) => t.fees)),
  });
}

/** Each point's fall from the running peak of the points before and at it, as a positive fraction. */
export function drawdownSeries(points: { t: number; equity: number }[]): EquityPoint[] {
  let peak = -Infinity;
  return points.map(({ t, equity }) => {
    peak = Math.max(peak, equity);
    return { t, equity, drawdown: drawdownFrom(peak, equity) };
  });
}

/** One group's row of the result's bySource / byExitRule (winRate as a fraction 0..1). */
export type GroupPnl = z.output<typeof GroupPnlSchema>;

/**
 * P&L per group (signal source, exit rule), sorted by key in code-unit order (locale-independent). A trade
 * whose keyOf gives several keys counts in each of them (once per distinct key); one with none in no group.
 */
export function groupPnl(trades: BacktestTrade[], keyOf: (t: BacktestTrade) => string[]): GroupPnl[] {
  const groups = new Map<string, { trades: number; pnl: number; wins: number }>();
  for (const trade of trades) {
    for (const key of new Set(keyOf(trade))) {
      const g = groups.get(key) ?? { trades: 0, pnl: 0, wins: 0 };
      g.trades += 1;
      g.pnl += trade.pnl;
      if (trade.pnl > 0) g.wins += 1;
      groups.set(key, g);
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => compareCodeUnits(a, b))
    .map(([key, g]) => ({ key, trades: g.trades, pnl: g.pnl, winRate: g.wins / g.trades }));
}

/** Percent (0..100) of samples strictly below value, ties counting half; 0 with no samples. */
export function percentileOf(value: number, samples: readonly number[]): number {
  if (samples.length === 0) return 0;
  let below = 0;
  let ties = 0;
  for (const s of samples) {
    if (s < value) below += 1;
    else if (s === value) ties += 1;
  }
  return (100 * (below + ties / 2)) / samples.length;
}

/**
 * The q-quantile (q in 0..1, clamped) of ascending samples by linear interpolation between the closest
 * ranks (h = (n − 1) q, the common "type 7" definition); 0 with no samples.
 */
export function quantile(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (h - lo) * (b - a);
}

/** Each day's pnl over the previous day's close (the start equity before day 1). */
export function dailyReturns(startEquity: number, daily: readonly DailyPnl[]): number[] {
  return daily.map((d, i) => safeDiv(d.pnl, i === 0 ? startEquity : daily[i - 1]!.equity));
}

function endEquityOf(input: EquityMetricsInput): number {
  return input.equity.at(-1)?.equity ?? input.daily.at(-1)?.equity ?? input.startEquity;
}

function annualisedReturn(totalReturn: number, tradingDays: number): number {
  if (tradingDays === 0) return 0;
  const growth = 1 + totalReturn;
  if (growth <= 0) return -1;
  return Math.min(CAGR_CAP, growth ** (TRADING_DAYS_PER_YEAR / tradingDays) - 1);
}

function sharpeRatio(returns: readonly number[]): number {
  if (returns.length < 2) return 0;
  const m = mean(returns);
  const variance = sum(returns.map((r) => (r - m) ** 2)) / (returns.length - 1);
  return safeDiv(m, Math.sqrt(variance)) * Math.sqrt(TRADING_DAYS_PER_YEAR);
}

function sortinoRatio(returns: readonly number[]): number {
  if (returns.length === 0) return 0;
  const downside = Math.sqrt(mean(returns.map((r) => Math.min(r, 0) ** 2)));
  return safeDiv(mean(returns), downside) * Math.sqrt(TRADING_DAYS_PER_YEAR);
}

function maxDrawdownOf(equity: readonly number[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const e of equity) {
    peak = Math.max(peak, e);
    worst = Math.max(worst, drawdownFrom(peak, e));
  }
  return worst;
}

function drawdownFrom(peak: number, equity: number): number {
  return peak > 0 ? (peak - equity) / peak : 0;
}

function longestDaysBelowPeak(startEquity: number, closes: readonly number[]): number {
  let peak = startEquity;
  let run = 0;
  let longest = 0;
  for (const close of closes) {
    if (close < peak) {
      run += 1;
      longest = Math.max(longest, run);
    } else {
      run = 0;
      peak = close;
    }
  }
  return longest;
}

function tradeStats(trades: readonly BacktestTrade[]): Pick<Metrics, 'winRate' | 'avgWin' | 'avgLoss' | 'profitFactor' | 'expectancy'> {
  const wins = trades.filter((t) => t.pnl > 0).map((t) => t.pnl);
  const losses = trades.filter((t) => t.pnl < 0).map((t) => t.pnl);
  const grossWin = sum(wins);
  const grossLoss = -sum(losses);
  return {
    winRate: safeDiv(wins.length, trades.length),
    avgWin: wins.length === 0 ? 0 : grossWin / wins.length,
    avgLoss: losses.length === 0 ? 0 : -grossLoss / losses.length,
    profitFactor: profitFactor(grossWin, grossLoss),
    expectancy: trades.length === 0 ? 0 : sum(trades.map((t) => t.pnl)) / trades.length,
  };
}

function profitFactor(grossWin: number, grossLoss: number): number {
  if (grossWin <= 0) return 0;
  if (grossLoss <= 0) return PROFIT_FACTOR_CAP;
  return Math.min(PROFIT_FACTOR_CAP, grossWin / grossLoss);
}

function safeDiv(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : sum(xs) / xs.length;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A NaN or Infinity here comes from a NaN or Infinity in the input: a bug upstream, not a value to report. */
function assertFinite(m: Metrics): Metrics {
  for (const [name, value] of Object.entries(m)) {
    if (!Number.isFinite(value)) throw new Error(`backtest metric ${name} is ${String(value)}: the run's equity, daily P&L or trades hold a non-finite number`);
  }
  return m;
}
