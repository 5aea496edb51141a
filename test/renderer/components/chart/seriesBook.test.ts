// The chart series bookkeeping: bar counts, forming-bar replacement and stale bars.
import { describe, expect, it } from 'vitest';
import { createSeriesBook } from '../../../../src/renderer/components/chart/seriesBook';
import type { Bar } from '../../../../src/shared/domain';
import { bar, T0 } from '../../fakes';

const MIN = 60_000;
const bySecond = (b: Bar): number => Math.floor(b.start / 1000);

describe('series book', () => {
  it('when a snapshot is loaded out of order with a duplicate then it is sorted and the later copy wins', () => {
    const book = createSeriesBook(bySecond);
    const out = book.load([bar('AAPL', T0 + MIN, 2), bar('AAPL', T0, 1), bar('AAPL', T0 + MIN, 3)]);
    expect(out.map((b) => b.close)).toEqual([1, 3]);
    expect(book.count).toBe(2);
    expect(book.timeframe).toBe('1m');
  });

  it('when a bar with the same start streams in then it replaces the forming bar and the count stays', () => {
    const book = createSeriesBook(bySecond);
    book.load([bar('AAPL', T0, 1)]);
    expect(book.accept(bar('AAPL', T0, 1.5))).toBe('replace');
    expect(book.count).toBe(1);
    expect(book.accept(bar('AAPL', T0 + MIN, 2))).toBe('append');
    expect(book.count).toBe(2);
  });

  it('when a bar older than the last one streams in then it is ignored (the chart would throw)', () => {
    const book = createSeriesBook(bySecond);
    book.load([bar('AAPL', T0, 1), bar('AAPL', T0 + MIN, 2)]);
    expect(book.accept(bar('AAPL', T0, 9))).toBe('ignore');
    expect(book.count).toBe(2);
  });

  it('when a bar of another timeframe streams in then it is ignored', () => {
    const book = createSeriesBook(bySecond);
    book.load([bar('AAPL', T0, 1)]);
    expect(book.accept(bar('AAPL', T0 + 5 * MIN, 2, { timeframe: '5m' }))).toBe('ignore');
  });

  it('when the series is empty then the first streamed bar sets the timeframe', () => {
    const book = createSeriesBook(bySecond);
    book.load([]);
    expect(book.accept(bar('AAPL', T0, 1))).toBe('append');
    expect(book.timeframe).toBe('1m');
    book.clear();
    expect(book.count).toBe(0);
    expect(book.timeframe).toBeNull();
  });
});
