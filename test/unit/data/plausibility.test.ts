// Finding "Absurd prices are stored": `1e308` and ×1e300 prices imported with exit 0 and `0x10`
// parsed as 16. Every ingest point now reads plain decimals only and refuses prices, volumes,
// ranges and times no market shows.
import { describe, expect, it } from 'vitest';
import { readDailyCloseCsv } from '../../../src/main/features/dataset';
import {
  MAX_PLAUSIBLE_PRICE,
  MAX_PLAUSIBLE_VOLUME,
  MIN_PLAUSIBLE_PRICE,
  isPlausiblePrice,
  isPlausibleRange,
  isPlausibleTime,
  isPlausibleVolume,
  parseDecimal,
} from '../../../src/main/data/plausibility';
import { checkBar, checkQuote, checkTrade } from '../../../src/main/data/validate-bar';
import type { Bar, QuoteTick, Trade } from '../../../src/shared/domain';

const T0 = Date.UTC(2011, 0, 3, 14, 30);
/** A real SPY minute (2011-01-03 09:30 ET). */
const spy = (over: Partial<Bar> = {}): Bar => ({ symbol: 'SPY', timeframe: '1m', start: T0, open: 126.71, high: 126.77, low: 126.6, close: 126.66, volume: 1_250_400, ...over });
const quote = (over: Partial<QuoteTick> = {}): QuoteTick => ({ symbol: 'SPY', time: T0 + 1_500, bidPrice: 590.4, bidSize: 300, askPrice: 590.42, askSize: 200, ...over });
const trade = (over: Partial<Trade> = {}): Trade => ({ symbol: 'SPY', time: T0 + 1_208, price: 590.41, size: 100, ...over });

describe('absurd prices are stored: parseDecimal reads plain decimals only', () => {
  it.each([
    ['0x10', 'a hex literal is not 16'],
    ['0b11', 'a binary literal'],
    ['0o17', 'an octal literal'],
    ['1e308', 'an exponent'],
    ['1.26e302', 'a ×1e300 exponent'],
    ['Infinity', 'Infinity'],
    ['-Infinity', '-Infinity'],
    ['NaN', 'NaN'],
    ['', 'an empty field (Number() makes it 0)'],
    ['   ', 'a blank field'],
    ['1_000', 'a numeric separator'],
    ['12.5abc', 'trailing text'],
    ['--3', 'a doubled sign'],
    ['.', 'a lone point'],
    ['1'.padEnd(400, '0'), 'four hundred digits (Infinity to Number())'],
  ])('%j is not a number (%s)', (text) => {
    expect(parseDecimal(text)).toBeNaN();
  });

  it('undefined (a missing column) is not a number', () => {
    expect(parseDecimal(undefined)).toBeNaN();
  });

  it.each([
    [' 12.5 ', 12.5],
    ['126.35', 126.35],
    ['.5', 0.5],
    ['5.', 5],
    ['+3', 3],
    ['007.10', 7.1],
  ])('%j is %d', (text, value) => {
    expect(parseDecimal(text)).toBe(value);
  });

  it("'-0' parses as negative zero, which is no price", () => {
    expect(parseDecimal('-0')).toBe(-0);
    expect(isPlausiblePrice(parseDecimal('-0'))).toBe(false);
    expect(checkBar(spy({ low: parseDecimal('-0') }))).toBe('non_positive_price');
  });
});

describe('absurd prices are stored: plausibility bounds', () => {
  it('a price is finite and inside the band; its edges are plausible', () => {
    expect([MIN_PLAUSIBLE_PRICE, 126.35, MAX_PLAUSIBLE_PRICE].map(isPlausiblePrice)).toEqual([true, true, true]);
    expect([0, -1, MIN_PLAUSIBLE_PRICE / 2, MAX_PLAUSIBLE_PRICE * 1.01, 1e308, 1.26e302, Number.NaN, Infinity].map(isPlausiblePrice)).toEqual(
      Array(8).fill(false),
    );
  });

  it('a volume is finite, non-negative and below the bound', () => {
    expect([0, 1_250_400, MAX_PLAUSIBLE_VOLUME].map(isPlausibleVolume)).toEqual([true, true, true]);
    expect([-1, 1e13, Number.NaN, Infinity].map(isPlausibleVolume)).toEqual([false, false, false, false]);
  });

  it('a range of ten times the low plus a dollar is the limit: penny names stay clear of it', () => {
    expect(isPlausibleRange(126.77, 126.6)).toBe(true);
    expect(isPlausibleRange(1001, 100)).toBe(true);
    expect(isPlausibleRange(1001.01, 100)).toBe(false);
    expect(isPlausibleRange(0.0011, 0.0001)).toBe(true); // ten ticks of a sub-penny stock
    expect(isPlausibleRange(0.5, 0.05)).toBe(true);
  });

  it('a time is a whole epoch-ms instant before 2200; microseconds or nanoseconds are not', () => {
    expect(isPlausibleTime(T0)).toBe(true);
    expect([T0 * 1000, T0 * 1_000_000, 0, -1, T0 + 0.5, Number.NaN].map(isPlausibleTime)).toEqual(Array(6).fill(false));
  });
});

describe('absurd prices are stored: checkBar', () => {
  it('passes a real SPY minute and a real sub-penny minute', () => {
    expect(checkBar(spy())).toBeNull();
    expect(checkBar(spy({ open: 0.0002, high: 0.0011, low: 0.0001, close: 0.0009, volume: 52_000_000 }))).toBeNull();
  });

  it('refuses a 1e308 close as implausible_price', () => {
    expect(checkBar(spy({ high: 1e308, close: 1e308 }))).toBe('implausible_price');
  });

  it('refuses a row ×1e300 (1.26e302) as implausible_price', () => {
    const b = spy();
    expect(checkBar({ ...b, open: b.open * 1e300, high: b.high * 1e300, low: b.low * 1e300, close: b.close * 1e300 })).toBe('implausible_price');
  });

  it('refuses a price below a hundredth of a cent as implausible_price', () => {
    expect(checkBar(spy({ low: 0.00005 }))).toBe('implausible_price');
  });

  it('refuses a negative volume as negative_volume and 1e13 shares as implausible_volume', () => {
    expect(checkBar(spy({ volume: -1 }))).toBe('negative_volume');
    expect(checkBar(spy({ volume: 1e13 }))).toBe('implausible_volume');
  });

  it('refuses a minute whose high is more than ten times its low (a fat-finger print) as implausible_range', () => {
    expect(checkBar(spy({ high: 1_500_000 }))).toBe('implausible_range');
  });

  it('refuses a start in microseconds as bad_timestamp', () => {
    expect(checkBar(spy({ start: T0 * 1000 }))).toBe('bad_timestamp');
  });

  it('still calls Infinity non_numeric', () => {
    expect(checkBar(spy({ high: Infinity }))).toBe('non_numeric');
  });
});

describe('absurd prices are stored: quotes and prints', () => {
  it('passes a real quote, one with an empty side, and a real print', () => {
    expect(checkQuote(quote())).toBeNull();
    expect(checkQuote(quote({ bidPrice: 0, bidSize: 0 }))).toBeNull();
    expect(checkTrade(trade())).toBeNull();
  });

  it.each([
    ['a 1e308 ask', { askPrice: 1e308 }],
    ['a ×1e300 bid', { bidPrice: 590.4e300 }],
    ['a negative bid', { bidPrice: -590.4 }],
    ['a zero ask with size on it', { askPrice: 0 }],
    ['an infinite bid', { bidPrice: Infinity }],
    ['a NaN ask size', { askSize: Number.NaN }],
    ['a negative bid size', { bidSize: -300 }],
    ['1e13 shares offered', { askSize: 1e13 }],
    ['a time in nanoseconds', { time: T0 * 1_000_000 }],
  ])('refuses %s', (_what, over) => {
    expect(checkQuote(quote(over))).toBe('implausible_quote');
  });

  it.each([
    ['a 1e308 price', { price: 1e308 }],
    ['a zero price', { price: 0 }],
    ['a NaN price', { price: Number.NaN }],
    ['a negative size', { size: -100 }],
    ['1e13 shares', { size: 1e13 }],
  ])('refuses a print with %s', (_what, over) => {
    expect(checkTrade(trade(over))).toBe('implausible_trade');
  });
});

describe('absurd prices are stored: the daily close CSV (VIX)', () => {
  it('reads plain decimals and skips hex, exponent, Infinity, empty and ×1e300 closes', () => {
    const text = [
      'DATE,OPEN,HIGH,LOW,CLOSE',
      '2025-03-03,19.1,23.5,18.9,22.78',
      '2025-03-04,0x10,0x10,0x10,0x10',
      '2025-03-05,1e308,1e308,1e308,1e308',
      '2025-03-06,21,22,20,Infinity',
      '2025-03-07,21,22,20,',
      `2025-03-10,21,22,20,2${'0'.repeat(301)}`,
      '2025-03-11,24.5,27.9,23.1, 27.86 ',
    ].join('\r\n');
    expect(readDailyCloseCsv(text)).toEqual([
      { date: '2025-03-03', close: 22.78 },
      { date: '2025-03-11', close: 27.86 },
    ]);
  });

  it('refuses a file without DATE and CLOSE columns without repeating its header', () => {
    expect(() => readDailyCloseCsv('when,secret-token-abc\n2025-03-03,1')).toThrow(/expected DATE and CLOSE columns/);
    expect(() => readDailyCloseCsv('when,secret-token-abc\n2025-03-03,1')).not.toThrow(/secret-token-abc/i);
  });
});
