// A backtest trade on its day's candles: the entry and exit land on the bars that hold their fills
// (a fill is stamped with the close of the bar it matched), the view is brought to the trade, and an
// exit on another day is not drawn on this one.
import { describe, expect, it } from 'vitest';
import { barIndexOfFill, tradeMarkers, tradeViewRange, TRADE_VIEW_MARGIN_BARS } from '../../../../src/renderer/components/backtest/tradeMarkers';
import { backtestTrade, bar } from '../../fakes';

const OPEN = Date.UTC(2011, 0, 4, 14, 30); // 09:30 ET
const MIN = 60_000;
const day = Array.from({ length: 390 }, (_, i) => bar('SPY', OPEN + i * MIN, 127 + i / 1000));

describe('trade markers on the day chart', () => {
  it('when a fill is stamped at a bar close then it belongs to that bar; the opening print belongs to the first bar', () => {
    expect(barIndexOfFill(day, OPEN + 31 * MIN)).toBe(30);
    expect(barIndexOfFill(day, OPEN + 31 * MIN + 1)).toBe(31);
    expect(barIndexOfFill(day, OPEN)).toBe(0);
    // The 15:59 bar closes at 16:00.
    expect(barIndexOfFill(day, OPEN + 390 * MIN)).toBe(389);
    expect(barIndexOfFill(day, OPEN - 1)).toBeNull();
    expect(barIndexOfFill(day, OPEN + 24 * 60 * MIN)).toBeNull();
    expect(barIndexOfFill([], OPEN)).toBeNull();
  });

  it('when a long trade is drawn then it is bought under its bar and sold over it, the exit named for its rule', () => {
    const trade = backtestTrade(1, { side: 'long', qty: 100, entryTime: OPEN + 31 * MIN, exitTime: OPEN + 61 * MIN, exitRule: 'target' });
    const markers = tradeMarkers(trade, day);
    expect(markers.map((m) => [m.which, m.index, m.position, m.shape, m.text])).toEqual([
      ['entry', 30, 'belowBar', 'arrowUp', 'BUY 100'],
      ['exit', 60, 'aboveBar', 'circle', 'TARGET'],
    ]);
  });

  it('when a short trade is stopped out then it is sold over its bar and bought back under it', () => {
    const trade = backtestTrade(2, { side: 'short', qty: 50, entryTime: OPEN + 100 * MIN, exitTime: OPEN + 110 * MIN, exitRule: 'hardStop' });
    expect(tradeMarkers(trade, day).map((m) => [m.position, m.shape, m.text])).toEqual([
      ['aboveBar', 'arrowDown', 'SELL 50'],
      ['belowBar', 'circle', 'STOP'],
    ]);
    expect(tradeMarkers({ ...trade, exitRule: 'some-new-rule' }, day)[1]?.text).toBe('EXIT');
  });

  it('when the exit is on another day then only the entry is drawn', () => {
    const trade = backtestTrade(3, { entryTime: OPEN + 380 * MIN, exitTime: OPEN + 24 * 60 * MIN });
    expect(tradeMarkers(trade, day).map((m) => m.which)).toEqual(['entry']);
  });

  it('when the chart is brought to a trade then a margin of bars shows either side, within the day', () => {
    const markers = tradeMarkers(backtestTrade(1, { entryTime: OPEN + 101 * MIN, exitTime: OPEN + 131 * MIN }), day);
    expect(tradeViewRange(markers, day.length)).toEqual({ from: 100 - TRADE_VIEW_MARGIN_BARS, to: 130 + TRADE_VIEW_MARGIN_BARS });
    const early = tradeMarkers(backtestTrade(1, { entryTime: OPEN + 2 * MIN, exitTime: OPEN + 389 * MIN }), day);
    expect(tradeViewRange(early, day.length)).toEqual({ from: 0, to: 389 });
    expect(tradeViewRange([], day.length)).toBeNull();
  });
});
