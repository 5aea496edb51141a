import { describe, expect, it } from 'vitest';
import { drawdownSeries, equityMetrics, groupPnl, percentileOf, PROFIT_FACTOR_CAP, quantile, type EquityMetricsInput } from '../../../src/main/backtest/metrics';
import { BacktestResultSchema, MetricsSchema, type BacktestTrade, type DailyPnl } from '../../../src/shared/backtest';
import { backtestFixture, fixtureTrades, nyEst, START_EQUITY } from './fixture';

const trade = (pnl: number, fees = 0): BacktestTrade => ({ ...fixtureTrades()[0]!, pnl, fees });
const day = (date: string, pnl: number, equity: number): DailyPnl => ({ date, pnl, fees: 0, trades: 1, equity });
const curve = (values: number[]) => values.map((equity, i) => ({ t: nyEst(4, 10, i), equity, drawdown: 0 }));

/** Three days: +1 %, −2 %, +3 % on the previous close, from 100,000. */
const THREE_DAYS: DailyPnl[] = [day('2024-03-04', 1_000, 101_000), day('2024-03-05', -2_020, 98_980), day('2024-03-06', 2_969.4, 101_949.4)];

const input = (over: Partial<EquityMetricsInput> = {}): EquityMetricsInput => ({
  startEquity: START_EQUITY,
  equity: curve([100_000, 101_000, 98_980, 101_949.4]),
  daily: THREE_DAYS,
  trades: [],
  exposureMinutes: 0,
  sessionMinutes: 1_170,
  tradedNotional: 0,
  ...over,
});

describe('the fixture', () => {
  it('is a valid BacktestResult', () => {
    expect(() => BacktestResultSchema.parse(backtestFixture())).not.toThrow();
  });

  it('holds the metrics equityMetrics computes from its own equity, days and trades', () => {
    const f = backtestFixture();
    const m = equityMetrics({ startEquity: START_EQUITY, equity: f.equity, daily: f.daily, trades: f.trades, exposureMinutes: 300, sessionMinutes: 1_170, tradedNotional: 148_490.1 });
    for (const [name, value] of Object.entries(f.metrics)) expect(m[name as keyof typeof m], name).toBeCloseTo(value, 5);
  });
});

describe('equityMetrics: returns', () => {
  it('daily returns +1 %, −2 %, +3 %: Sharpe = mean / sample sd × √252 ≈ 4.2053', () => {
    const mean = (0.01 - 0.02 + 0.03) / 3;
    const sd = Math.sqrt(((0.01 - mean) ** 2 + (-0.02 - mean) ** 2 + (0.03 - mean) ** 2) / (3 - 1));
    const m = equityMetrics(input());
    expect(m.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(252), 10);
    expect(m.sharpe).toBeCloseTo(4.2053, 4);
  });

  it('Sortino divides by √(mean of min(r, 0)² over all three days) ≈ 9.1652', () => {
    const mean = (0.01 - 0.02 + 0.03) / 3;
    const downside = Math.sqrt((0 + 0.02 ** 2 + 0) / 3);
    expect(equityMetrics(input()).sortino).toBeCloseTo((mean / downside) * Math.sqrt(252), 10);
    expect(equityMetrics(input()).sortino).toBeCloseTo(9.1652, 4);
  });

  it('total return from the last mark; CAGR over 3 of 252 trading days', () => {
    const m = equityMetrics(input());
    expect(m.endEquity).toBe(101_949.4);
    expect(m.totalReturn).toBeCloseTo(101_949.4 / 100_000 - 1, 12);
    expect(m.cagr).toBeCloseTo((101_949.4 / 100_000) ** (252 / 3) - 1, 8);
  });

  it('a year of 252 days returning 10 % has a CAGR of 10 %', () => {
    const daily = Array.from({ length: 252 }, (_, i) => day('2024-01-02', i === 251 ? 10_000 : 0, i === 251 ? 110_000 : 100_000));
    const m = equityMetrics(input({ daily, equity: curve([100_000, 110_000]) }));
    expect(m.cagr).toBeCloseTo(0.1, 12);
  });

  it('one day only: no Sharpe (no sample sd), and no NaN anywhere', () => {
    const m = equityMetrics(input({ daily: THREE_DAYS.slice(0, 1), equity: curve([100_000, 101_000]) }));
    expect(m.sharpe).toBe(0);
    expect(() => MetricsSchema.parse(m)).not.toThrow();
  });

  it('no losing day: Sortino 0 rather than Infinity; no drawdown: Calmar 0', () => {
    const daily = [day('2024-03-04', 1_000, 101_000), day('2024-03-05', 1_010, 102_010)];
    const m = equityMetrics(input({ daily, equity: curve([100_000, 101_000, 102_010]) }));
    expect(m.sortino).toBe(0);
    expect(m.maxDrawdown).toBe(0);
    expect(m.calmar).toBe(0);
  });

  it('an account wiped out: total return −100 %, CAGR −100 %', () => {
    const m = equityMetrics(input({ daily: [day('2024-03-04', -100_000, 0)], equity: curve([100_000, 0]) }));
    expect(m.totalReturn).toBe(-1);
    expect(m.cagr).toBe(-1);
  });

  it('no days at all: everything 0 and the schema accepts it', () => {
    const m = equityMetrics(input({ daily: [], equity: [] }));
    expect(m).toMatchObject({ endEquity: START_EQUITY, totalReturn: 0, cagr: 0, sharpe: 0, sortino: 0, maxDrawdown: 0, maxDrawdownDays: 0 });
    expect(() => MetricsSchema.parse(m)).not.toThrow();
  });

  it('a NaN in the input is a bug: it throws and names the metric', () => {
    expect(() => equityMetrics(input({ trades: [trade(Number.NaN)] }))).toThrow(/expectancy|avgWin|winRate|profitFactor/);
  });
});

describe('equityMetrics: drawdown', () => {
  it('curve 100, 110, 99, 105, 88, 120: max drawdown (110 − 88) / 110 = 20 %; Calmar = CAGR / 0.2', () => {
    const m = equityMetrics(input({ startEquity: 100, equity: curve([100, 110, 99, 105, 88, 120]), daily: [day('2024-03-04', 20, 120)] }));
    expect(m.maxDrawdown).toBeCloseTo(0.2, 12);
    expect(m.calmar).toBeCloseTo(m.cagr / 0.2, 8);
  });

  it('the start equity is the first peak: a fall in the first minute counts', () => {
    expect(equityMetrics(input({ equity: curve([95_000, 101_949.4]) })).maxDrawdown).toBeCloseTo(0.05, 12);
  });

  it('closes 101k (peak), 99k, 100k, 100.5k, 102k (new peak), 101k: longest stretch below the peak is 3 days', () => {
    const closes = [101_000, 99_000, 100_000, 100_500, 102_000, 101_000];
    const daily = closes.map((equity, i) => day('2024-03-04', equity - (closes[i - 1] ?? START_EQUITY), equity));
    expect(equityMetrics(input({ daily })).maxDrawdownDays).toBe(3);
  });

  it('a close back at the peak (not above) ends the stretch', () => {
    const closes = [101_000, 99_000, 101_000, 100_000];
    const daily = closes.map((equity, i) => day('2024-03-04', equity - (closes[i - 1] ?? START_EQUITY), equity));
    expect(equityMetrics(input({ daily })).maxDrawdownDays).toBe(1);
  });

  it('drawdownSeries: each point below its running peak, as a positive fraction', () => {
    const dd = drawdownSeries(curve([100, 110, 99, 105, 88, 120])).map((p) => p.drawdown);
    expect(dd[0]).toBe(0);
    expect(dd[1]).toBe(0);
    expect(dd[2]).toBeCloseTo(11 / 110, 12);
    expect(dd[3]).toBeCloseTo(5 / 110, 12);
    expect(dd[4]).toBeCloseTo(22 / 110, 12);
    expect(dd[5]).toBe(0);
  });
});

describe('equityMetrics: trades', () => {
  it('P&L +100, −50, 0, +30: win rate 2 of 4, avg win 65, avg loss −50, profit factor 130 / 50 = 2.6, expectancy 20', () => {
    const m = equityMetrics(input({ trades: [trade(100), trade(-50), trade(0), trade(30)] }));
    expect(m.trades).toBe(4);
    expect(m.winRate).toBe(0.5);
    expect(m.avgWin).toBe(65);
    expect(m.avgLoss).toBe(-50);
    expect(m.profitFactor).toBeCloseTo(2.6, 12);
    expect(m.expectancy).toBe(20);
  });

  it('no losing trade: profit factor is the finite cap, not Infinity', () => {
    const m = equityMetrics(input({ trades: [trade(100), trade(50)] }));
    expect(m.profitFactor).toBe(PROFIT_FACTOR_CAP);
    expect(Number.isFinite(m.profitFactor)).toBe(true);
    expect(m.avgLoss).toBe(0);
  });

  it('no trades: win rate, profit factor and expectancy 0', () => {
    expect(equityMetrics(input())).toMatchObject({ trades: 0, winRate: 0, avgWin: 0, avgLoss: 0, profitFactor: 0, expectancy: 0, fees: 0 });
  });

  it('exposure 300 of 1,170 minutes, turnover 250,000 on 100,000, fees summed', () => {
    const m = equityMetrics(input({ exposureMinutes: 300, sessionMinutes: 1_170, tradedNotional: 250_000, trades: [trade(10, 0.25), trade(-5, 1.1)] }));
    expect(m.exposure).toBeCloseTo(300 / 1_170, 12);
    expect(m.turnover).toBe(2.5);
    expect(m.fees).toBeCloseTo(1.35, 12);
  });

  it('no session minutes: exposure 0', () => {
    expect(equityMetrics(input({ exposureMinutes: 0, sessionMinutes: 0 })).exposure).toBe(0);
  });
});

describe('groupPnl', () => {
  it('by source: a trade from orb and ml counts in both; sorted by key', () => {
    const f = backtestFixture();
    expect(groupPnl(f.trades, (t) => t.sources)).toEqual(f.bySource.map((g) => ({ ...g, pnl: expect.closeTo(g.pnl, 9) })));
  });

  it('by exit rule', () => {
    const f = backtestFixture();
    expect(groupPnl(f.trades, (t) => [t.exitRule])).toEqual(f.byExitRule);
  });

  it('a key listed twice on one trade counts once; upper case sorts before lower (code units, not locale)', () => {
    const groups = groupPnl([{ ...trade(10), sources: ['orb', 'orb', 'Zed'] }], (t) => t.sources);
    expect(groups).toEqual([
      { key: 'Zed', trades: 1, pnl: 10, winRate: 1 },
      { key: 'orb', trades: 1, pnl: 10, winRate: 1 },
    ]);
  });

  it('no trades: no groups', () => {
    expect(groupPnl([], (t) => t.sources)).toEqual([]);
  });
});

describe('percentileOf and quantile', () => {
  it('3 among 1, 2, 3, 4: two below and one tie = (2 + 0.5) / 4 = 62.5', () => {
    expect(percentileOf(3, [4, 1, 3, 2])).toBe(62.5);
    expect(percentileOf(10, [1, 2, 3, 4])).toBe(100);
    expect(percentileOf(0, [1, 2, 3, 4])).toBe(0);
    expect(percentileOf(1, [1, 1])).toBe(50);
    expect(percentileOf(1, [])).toBe(0);
  });

  it('linear interpolation: median of 1..4 is 2.5; p5 is 1 + 0.15; ends are the ends', () => {
    const sorted = [1, 2, 3, 4];
    expect(quantile(sorted, 0.5)).toBe(2.5);
    expect(quantile(sorted, 0.05)).toBeCloseTo(1.15, 12);
    expect(quantile(sorted, 0.95)).toBeCloseTo(3.85, 12);
    expect(quantile(sorted, 0)).toBe(1);
    expect(quantile(sorted, 1)).toBe(4);
    expect(quantile([7], 0.3)).toBe(7);
    expect(quantile([], 0.5)).toBe(0);
  });
});
