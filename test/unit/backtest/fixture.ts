// A small backtest result written out by hand: three sessions (2024-03-04 to 03-06, New York on EST,
// UTC-5), three trades, a few equity marks. Each call answers a fresh copy, so a test may change it.
import type { BacktestResult, BacktestTrade, EquityPoint } from '../../../src/shared/backtest';

/** Epoch ms of a New York wall time on those EST days (UTC = New York + 5 h). */
export const nyEst = (day: number, hour: number, minute: number): number => Date.UTC(2024, 2, day, hour + 5, minute);

export const START_EQUITY = 100_000;

/** Reasons a user or a model could write: a comma, quotes and a line break; and markup. */
export const TRICKY_REASON = 'stretched, "far" above VWAP\nsecond line';
export const SCRIPT_REASON = '<script>alert(1)</script>';

export function fixtureTrades(): BacktestTrade[] {
  return [
    // Long 100 at 170.0000, out at 180.0050: 1,000.50 gross, 0.50 fees, 1,000.00 net.
    { n: 1, symbol: 'AAPL', side: 'long', qty: 100, entryTime: nyEst(4, 9, 45), entryPrice: 170, exitTime: nyEst(4, 11, 15), exitPrice: 180.005, exitRule: 'target', pnl: 1000, fees: 0.5, mfe: 10.2, mae: 0.8, barsHeld: 90, sources: ['orb'], reasons: ['opening range break'] },
    // Short 50 at 400.0000, stopped at 440.3920: −2,019.60 gross, 0.40 fees, −2,020.00 net.
    { n: 2, symbol: 'MSFT', side: 'short', qty: 50, entryTime: nyEst(5, 10, 0), entryPrice: 400, exitTime: nyEst(5, 12, 0), exitPrice: 440.392, exitRule: 'hardStop', pnl: -2020, fees: 0.4, mfe: 1.5, mae: 40.392, barsHeld: 120, sources: ['vwap_reversion', 'ml'], reasons: [TRICKY_REASON, 'ml 0.71'] },
    // Long 200 at 171.2500, flattened at 186.1000: 2,970.00 gross, 0.60 fees, 2,969.40 net.
    { n: 3, symbol: 'AAPL', side: 'long', qty: 200, entryTime: nyEst(6, 9, 40), entryPrice: 171.25, exitTime: nyEst(6, 15, 55), exitPrice: 186.1, exitRule: 'flatten', pnl: 2969.4, fees: 0.6, mfe: 15.1, mae: 0.25, barsHeld: 375, sources: ['orb', 'ml'], reasons: [SCRIPT_REASON] },
  ];
}

/** Minute marks: day 2 falls from the 101,000 peak to 98,000 (−2.97 %) and closes at 98,980. */
export function fixtureEquity(): EquityPoint[] {
  const peak = 101_000;
  return [
    { t: nyEst(4, 9, 30), equity: 100_000, drawdown: 0 },
    { t: nyEst(4, 10, 0), equity: 100_500, drawdown: 0 },
    { t: nyEst(4, 15, 59), equity: 101_000, drawdown: 0 },
    { t: nyEst(5, 9, 30), equity: 101_000, drawdown: 0 },
    { t: nyEst(5, 12, 0), equity: 98_000, drawdown: 3_000 / peak },
    { t: nyEst(5, 15, 59), equity: 98_980, drawdown: 2_020 / peak },
    { t: nyEst(6, 9, 30), equity: 98_980, drawdown: 2_020 / peak },
    { t: nyEst(6, 15, 59), equity: 101_949.4, drawdown: 0 },
  ];
}

export function backtestFixture(): BacktestResult {
  return {
    runId: 'bt-fixture-1',
    spec: {
      symbols: ['AAPL', 'MSFT'],
      from: '2024-03-04',
      to: '2024-03-06',
      policy: { kind: 'all' },
      model: { kind: 'none' },
      fills: { slippage: { kind: 'bps', bps: 2 }, limitFill: 'through', maxParticipation: 0.1, latencyMs: 250, fees: 'alpaca-2024-05' },
      risk: { bankroll: START_EQUITY, maxDailyLoss: 2_500 },
      seed: 7,
      randomRuns: 100,
      label: 'ORB and VWAP, early March',
    },
    bars: 2_340,
    sessions: 3,
    trades: fixtureTrades(),
    equity: fixtureEquity(),
    daily: [
      { date: '2024-03-04', pnl: 1_000, fees: 0.5, trades: 1, equity: 101_000 },
      { date: '2024-03-05', pnl: -2_020, fees: 0.4, trades: 1, equity: 98_980 },
      { date: '2024-03-06', pnl: 2_969.4, fees: 0.6, trades: 1, equity: 101_949.4 },
    ],
    // What equityMetrics gives for the above (exposure 300 of 1,170 session minutes; notional 148,490.10), rounded.
    metrics: {
      startEquity: START_EQUITY,
      endEquity: 101_949.4,
      totalReturn: 0.019494,
      cagr: 4.061889,
      sharpe: 4.20526,
      sortino: 9.165151,
      calmar: 136.750268,
      maxDrawdown: 0.029703,
      maxDrawdownDays: 1,
      winRate: 2 / 3,
      avgWin: 1_984.7,
      avgLoss: -2_020,
      profitFactor: 1.965050,
      expectancy: 649.8,
      exposure: 0.25641,
      trades: 3,
      turnover: 1.484901,
      fees: 1.5,
    },
    baselines: {
      buyHoldSpy: { totalReturn: 0.012, maxDrawdown: 0.015 },
      buyHoldSymbols: null,
      random: { runs: 100, medianReturn: 0.005, p5Return: -0.03, p95Return: 0.04, strategyPercentile: 72.5 },
      beatenByRandom: false,
    },
    bySource: [
      { key: 'ml', trades: 2, pnl: 949.4, winRate: 0.5 },
      { key: 'orb', trades: 2, pnl: 3_969.4, winRate: 1 },
      { key: 'vwap_reversion', trades: 1, pnl: -2_020, winRate: 0 },
    ],
    byExitRule: [
      { key: 'flatten', trades: 1, pnl: 2_969.4, winRate: 1 },
      { key: 'hardStop', trades: 1, pnl: -2_020, winRate: 0 },
      { key: 'target', trades: 1, pnl: 1_000, winRate: 1 },
    ],
    signals: { proposed: 9, approved: 3, vetoed: 2, refused: 4 },
    models: [],
  };
}
