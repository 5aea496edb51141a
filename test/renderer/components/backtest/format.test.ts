// How a backtest's numbers read: signed percents for returns, a drawdown's depth whatever its sign,
// m:ss for the time left, and a dash (never 0) for what the engine could not measure.
import { describe, expect, it } from 'vitest';
import {
  formatBarsPerSecond,
  formatDrawdown,
  formatEta,
  formatMoney,
  formatReturn,
  NOT_MEASURED,
  percentDone,
} from '../../../../src/renderer/components/backtest/format';
import { drawdownPercent, returnPercent, toChartPoints } from '../../../../src/renderer/components/backtest/equityChart';

describe('backtest number formats', () => {
  it('reads returns, drawdowns and money as a trader writes them', () => {
    expect(formatReturn(0.0124)).toBe('+1.24%');
    expect(formatReturn(-0.031)).toBe('-3.10%');
    expect(formatReturn(0.00001)).toBe('0.00%');
    expect(formatDrawdown(-0.042)).toBe('4.20%');
    expect(formatDrawdown(0.042)).toBe('4.20%');
    expect(formatMoney(1234.5)).toBe('1,234.50');
    expect(formatMoney(-30.5, true)).toBe('-30.50');
    expect(formatMoney(39.9, true)).toBe('+39.90');
    expect(formatMoney(0.001, true)).toBe('0.00');
  });

  it('when the engine could not measure a value (null after JSON) then a dash is shown', () => {
    expect(formatReturn(null)).toBe(NOT_MEASURED);
    expect(formatReturn(Number.NaN)).toBe(NOT_MEASURED);
    expect(formatMoney(undefined)).toBe(NOT_MEASURED);
    expect(formatEta(null)).toBe(NOT_MEASURED);
  });

  it('reads progress as a whole percent that reaches 100 only at the end, a rate, and m:ss or h:mm:ss', () => {
    expect(percentDone(0.999, false)).toBe(99);
    expect(percentDone(1, true)).toBe(100);
    expect(percentDone(0.42, true)).toBe(42);
    expect(formatBarsPerSecond(12_345.6)).toBe('12,346 bars/s');
    expect(formatEta(35)).toBe('0:35');
    expect(formatEta(95.4)).toBe('1:35');
    expect(formatEta(3_725)).toBe('1:02:05');
  });
});

describe('equity curve points', () => {
  it('orders points by chart time, keeps the last of one time and drops what is not finite', () => {
    const points = toChartPoints(
      [
        { t: 3_000, equity: 103, drawdown: 0 },
        { t: 1_000, equity: 101, drawdown: 0 },
        { t: 1_500, equity: 102, drawdown: -0.01 },
        { t: 2_000, equity: Number.NaN, drawdown: 0 },
      ],
      (t) => Math.floor(t / 1000),
      (p) => p.equity,
    );
    expect(points).toEqual([
      { time: 1, value: 102 },
      { time: 3, value: 103 },
    ]);
  });

  it('draws a drawdown below zero in percent and a compared curve as a return on its start', () => {
    expect(drawdownPercent({ t: 0, equity: 0, drawdown: 0.05 })).toBeCloseTo(-5);
    expect(drawdownPercent({ t: 0, equity: 0, drawdown: -0.05 })).toBeCloseTo(-5);
    expect(returnPercent(25_000)({ t: 0, equity: 25_500, drawdown: 0 })).toBeCloseTo(2);
    expect(returnPercent(0)({ t: 0, equity: 1, drawdown: 0 })).toBeNaN();
  });
});
