import { describe, expect, it } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { aggregateBars, BarAggregator } from '../../../src/main/data/aggregate';
import type { StoredBar } from '../../../src/main/store/history-store';

const cal = new NyseCalendar();
const s = cal.session('2015-12-24')!; // a 13:00 early close
const minute = (t: number, price: number, part: StoredBar['part'] = 'regular'): StoredBar => ({
  symbol: 'SPY', timeframe: '1m', start: t, open: price, high: price + 0.1, low: price - 0.1, close: price + 0.05, volume: 100, part,
});

describe('streaming aggregation', () => {
  it('emits a 5-minute bar as soon as its last minute closes, never earlier', () => {
    const agg = new BarAggregator('SPY', '5m', cal);
    const out: StoredBar[][] = [];
    for (let i = 0; i < 5; i++) out.push(agg.push(minute(s.open + i * 60_000, 100 + i)));
    expect(out.slice(0, 4).every((o) => o.length === 0)).toBe(true);
    expect(out[4]).toEqual([{ symbol: 'SPY', timeframe: '5m', start: s.open, open: 100, high: 104.1, low: 99.9, close: 104.05, volume: 500, part: 'regular' }]);
  });

  it('closes a bucket with a missing last minute when the next bucket starts', () => {
    const agg = new BarAggregator('SPY', '15m', cal);
    expect(agg.push(minute(s.open, 100))).toEqual([]);
    expect(agg.push(minute(s.open + 3 * 60_000, 101))).toEqual([]);
    const emitted = agg.push(minute(s.open + 15 * 60_000, 102));
    expect(emitted).toHaveLength(1);
    expect(emitted[0]).toMatchObject({ start: s.open, volume: 200, close: 101.05 });
  });

  it('never spans the open or the early close; the daily bar uses regular minutes only', () => {
    const bars: StoredBar[] = [];
    for (let t = s.preOpen + 5 * 3_600_000 - 2 * 60_000; t < s.open; t += 60_000) bars.push(minute(t, 99, 'pre'));
    for (let t = s.open; t < s.close; t += 60_000) bars.push(minute(t, 100));
    for (let t = s.close; t < s.close + 3 * 60_000; t += 60_000) bars.push(minute(t, 101, 'post'));
    const five = aggregateBars(bars, '5m', cal);
    for (const b of five) {
      const end = b.start + 5 * 60_000;
      expect(end <= s.open || (b.start >= s.open && end <= s.close) || b.start >= s.close).toBe(true);
    }
    expect(five.filter((b) => b.part === 'regular')).toHaveLength(210 / 5);
    const daily = aggregateBars(bars, '1d', cal);
    expect(daily).toHaveLength(1);
    expect(daily[0]).toMatchObject({ start: s.open, open: 100, volume: 210 * 100 });
  });

  it('streaming equals batch', () => {
    const bars: StoredBar[] = [];
    for (let t = s.open; t < s.close; t += 60_000) if (Math.floor(t / 60_000) % 7 !== 3) bars.push(minute(t, 100 + (t % 13)));
    const agg = new BarAggregator('SPY', '15m', cal);
    const streamed = bars.flatMap((b) => agg.push(b)).concat(agg.flush());
    expect(streamed).toEqual(aggregateBars(bars, '15m', cal));
  });
});
