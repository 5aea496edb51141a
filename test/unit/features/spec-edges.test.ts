// Definitions the real month does not reach: flat prices, quotes around the bar close, a stale or
// missing VIX, bars of several symbols arriving in another order, 13:00 closes, non-default options.
import { describe, expect, it } from 'vitest';
import { nyWallToUtc } from '../../../src/main/calendar/ny-time';
import { FeatureEngine } from '../../../src/main/features/feature-engine';
import { FEATURE_INDEX, FEATURE_NAMES } from '../../../src/main/features/spec';
import type { Bar } from '../../../src/shared/domain';
import { calendar, interleave, mismatches, newEngine, qqqMonth, refSeries, runEngine, seededDays, spyMonth } from './month';
import { daysBefore, referenceFeatures, vixProxyOf } from './reference';

const fi = (name: string): number => FEATURE_INDEX[name]!;

function bar(symbol: string, start: number, close: number, volume = 1_000, open = close): Bar {
  return { symbol, timeframe: '1m', start, open, high: Math.max(open, close) + 0.01, low: Math.min(open, close) - 0.01, close, volume };
}

describe('RSI with no movement at all', () => {
  it('is 50 when avgGain = avgLoss = 0 (no movement), and 100 when only gains were seen', () => {
    const open = calendar.session('2011-01-03')!.open;
    const engine = newEngine();
    const rows = Array.from({ length: 20 }, (_, i) => engine.onBar(bar('FLAT', open + i * 60_000, 50))!.values.slice());
    expect(rows[2]![fi('rsi_2')]).toBe(50);
    expect(rows[5]![fi('rsi_5')]).toBe(50);
    expect(rows[14]![fi('rsi_14')]).toBe(50);
    const up = newEngine();
    const ups = Array.from({ length: 20 }, (_, i) => up.onBar(bar('UP', open + i * 60_000, 50 + i * 0.01))!.values.slice());
    expect(ups[14]![fi('rsi_14')]).toBe(100);
  });
});

describe('quote imbalance: the latest quote at or before the bar close', () => {
  const open = calendar.session('2011-01-03')!.open;
  const quote = (time: number, bidSize: number, askSize: number) => ({ symbol: 'SPY', time, bidPrice: 126.7, bidSize, askPrice: 126.71, askSize });

  it('is NaN without quotes and (bid − ask)/(bid + ask) of the latest quote before the close', () => {
    const engine = newEngine();
    expect(engine.onBar(bar('SPY', open, 126.7))!.values[fi('quote_imbalance')]).toBeNaN();
    engine.onQuote(quote(open + 70_000, 100, 300));
    engine.onQuote(quote(open + 110_000, 300, 100));
    expect(engine.onBar(bar('SPY', open + 60_000, 126.71))!.values[fi('quote_imbalance')]).toBe(0.5);
  });

  it('a quote exactly at the bar close counts', () => {
    const engine = newEngine();
    engine.onQuote(quote(open + 60_000, 100, 300));
    expect(engine.onBar(bar('SPY', open, 126.7))!.values[fi('quote_imbalance')]).toBe(-0.5);
  });

  it('ignores a quote stamped after the bar close that arrives before the bar', () => {
    const engine = newEngine();
    engine.onQuote(quote(open + 30_000, 100, 300)); // during the bar: counts
    engine.onQuote(quote(open + 61_000, 300, 100)); // one second after the close: belongs to the next bar
    expect(engine.onBar(bar('SPY', open, 126.7))!.values[fi('quote_imbalance')]).toBe(-0.5);
  });
});

describe('vix_level', () => {
  const spy = spyMonth();

  it('a VIX close more than 10 calendar days old counts as missing (a gap in the series), so the proxy is used', () => {
    const stale = newEngine({ vix: [{ date: '2010-12-10', close: 17.61 }] });
    expect(stale.onBar(spy[0]!)!.values[fi('vix_is_proxy')]).not.toBe(0);
    const fresh = newEngine({ vix: [{ date: '2010-12-31', close: 17.75 }] });
    const row = fresh.onBar(spy[0]!)!;
    expect(row.values[fi('vix_level')]).toBe(17.75);
    expect(row.values[fi('vix_is_proxy')]).toBe(0);
  });

  it('for another symbol, the proxy uses SPY’s last completed session even when that symbol’s bar comes before SPY’s', () => {
    const seed = seededDays('2011-01-03', 25, 125.75, 150_000_000, 9);
    const qqq = qqqMonth();
    const day1 = spy.slice(0, 390);
    // 2011-01-04 09:30: the QQQ bar is delivered before SPY's bar of the same minute.
    const feed = [...interleave(day1, qqq.slice(0, qqq.findIndex((b) => b.start >= spy[390]!.start))), qqq.find((b) => b.start === spy[390]!.start)!];
    const rows = runEngine(feed, { seed: { SPY: seed } });
    const want = vixProxyOf(daysBefore(refSeries(day1, seed), '2011-01-04'));
    const got = rows.get('QQQ')!.values.at(-1)![fi('vix_level')]!;
    expect(got).toBeCloseTo(want, 12);
  });
});

describe('13:00 closes', () => {
  it('minutes_to_close counts to 13:00 on 2010-11-26 (the day after Thanksgiving)', () => {
    const s = calendar.session('2010-11-26')!;
    expect(s.close).toBe(nyWallToUtc(2010, 11, 26, 13, 0));
    const engine = newEngine();
    const first = engine.onBar(bar('SPY', s.open, 120))!.values.slice();
    const last = engine.onBar(bar('SPY', s.close - 60_000, 120.5))!.values.slice();
    expect(first[fi('minutes_since_open')]).toBe(1);
    expect(first[fi('minutes_to_close')]).toBe(209);
    expect(last[fi('minutes_since_open')]).toBe(210);
    expect(last[fi('minutes_to_close')]).toBe(0);
    expect(engine.onBar(bar('SPY', s.close, 121))).toBeNull(); // 13:00 is after the session
  });
});

describe('options: Laguerre gamma and opening-range length', () => {
  it('gamma 0.8 and a 15-minute opening range match the reference computed with them', () => {
    const spy = spyMonth().slice(0, 1_170);
    const options = { gamma: 0.8, openingRangeMinutes: 15 };
    const got = runEngine(spy, {}, new FeatureEngine(calendar, options)).get('SPY')!.values;
    const want = referenceFeatures(refSeries(spy), {}, options);
    const names = ['laguerre_dist', 'laguerre_rsi', 'or_high_dist', 'or_low_dist', 'or_breakout_up', 'or_breakout_down'];
    const bad = names.flatMap((n) => mismatches(got, want, FEATURE_NAMES.indexOf(n), (t) => `#${t}`, 2));
    expect(bad).toEqual([]);
    // The 15-minute range is complete at the 15th bar.
    expect(got[13]![fi('or_high_dist')]).toBeNaN();
    expect(got[14]![fi('or_high_dist')]).not.toBeNaN();
  });
});
