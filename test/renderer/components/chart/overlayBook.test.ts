// The overlay line bookkeeping: gaps for empty values, alignment with the candles' New York times,
// hidden segments between sessions, trimming to the candles, and streamed points.
import { describe, expect, it } from 'vitest';
import {
  createOverlayBook,
  GAP_COLOR,
  overlayLineData,
  overlayLineItem,
  type OverlayRow,
} from '../../../../src/renderer/components/chart/overlayBook';
import { createNyTimeShifter } from '../../../../src/renderer/components/nyTime';
import type { OverlayKey } from '../../../../src/shared/contract';
import { overlayPoint, T0 } from '../../fakes';

const MIN = 60_000;
const SEC = (ms: number): number => Math.floor(ms / 1000);
/** The chart handle's mapping: New York wall clock presented as UTC, in seconds. */
function nyChartTime(): (start: number) => number {
  const shift = createNyTimeShifter();
  return (start) => SEC(shift(start));
}
const bySecond = (start: number): number => SEC(start);
const row = (start: number, values: Partial<Record<OverlayKey, number | null>>): OverlayRow => ({
  time: SEC(start),
  values: overlayPoint(start, values).values,
});

describe('overlay line data', () => {
  it('when a line has no value at a bar then that bar is whitespace (a gap), not zero', () => {
    const r = row(T0, { vwap: 101.5, bb_upper: null });
    expect(overlayLineItem(r, null, 'vwap')).toEqual({ time: SEC(T0), value: 101.5 });
    expect(overlayLineItem(r, null, 'bb_upper')).toEqual({ time: SEC(T0) });
  });

  it('when a line has a gap then the point before it hides its segment, because the chart joins across whitespace', () => {
    const rows = [row(T0, { bb_upper: 1 }), row(T0 + MIN, { bb_upper: 2 }), row(T0 + 2 * MIN, {}), row(T0 + 3 * MIN, { bb_upper: 4 })];
    expect(overlayLineData(rows, 'bb_upper')).toEqual([
      { time: SEC(T0), value: 1 },
      { time: SEC(T0 + MIN), value: 2, color: GAP_COLOR },
      { time: SEC(T0 + 2 * MIN) },
      { time: SEC(T0 + 3 * MIN), value: 4 },
    ]);
  });

  it('when the next point is in another session then the segment across the night is hidden', () => {
    const close = T0 + 389 * MIN; // 15:59 ET
    const nextOpen = T0 + 24 * 60 * MIN; // 09:30 ET the next day
    const chartTime = nyChartTime();
    const rows = [close - MIN, close, nextOpen, nextOpen + MIN].map((start, i) => ({
      time: chartTime(start),
      values: overlayPoint(start, { vwap: i }).values,
    }));
    const colors = overlayLineData(rows, 'vwap').map((it) => ('color' in it ? it.color : 'line'));
    expect(colors).toEqual(['line', GAP_COLOR, 'line', 'line']);
  });

  it('when the engine sends no value for a line (an older engine) then the line has a gap', () => {
    const r = { time: 100, values: { vwap: 1 } as OverlayRow['values'] };
    expect(overlayLineItem(r, null, 'or_high')).toEqual({ time: 100 });
  });
});

describe('overlay book', () => {
  it('when a point is loaded then it sits at the same New York chart time as its candle (summer and winter)', () => {
    const book = createOverlayBook(nyChartTime());
    const summerOpen = T0; // 2024-03-15 13:30 UTC = 09:30 EDT
    const winterOpen = Date.UTC(2024, 0, 16, 14, 30); // 09:30 EST
    const rows = book.load([overlayPoint(summerOpen, { vwap: 1 }), overlayPoint(winterOpen, { vwap: 2 })], null);
    expect(rows.map((r) => r.time)).toEqual([SEC(Date.UTC(2024, 0, 16, 9, 30)), SEC(Date.UTC(2024, 2, 15, 9, 30))]);
  });

  it('when the overlay history reaches further back than the candles then the older points are dropped', () => {
    const book = createOverlayBook(bySecond);
    const points = [0, 1, 2, 3].map((i) => overlayPoint(T0 + i * MIN, { vwap: i }));
    const rows = book.load(points, SEC(T0 + 2 * MIN));
    expect(overlayLineData(rows, 'vwap')).toEqual([
      { time: SEC(T0 + 2 * MIN), value: 2 },
      { time: SEC(T0 + 3 * MIN), value: 3 },
    ]);
    expect(book.count).toBe(2);
  });

  it('when the candles failed to load then the overlay history is shown whole', () => {
    const book = createOverlayBook(bySecond);
    expect(book.load([overlayPoint(T0), overlayPoint(T0 + MIN)], null)).toHaveLength(2);
    expect(book.count).toBe(2);
  });

  it('when a snapshot is out of order with a duplicate then it is sorted and the later copy wins', () => {
    const book = createOverlayBook(bySecond);
    const rows = book.load([overlayPoint(T0 + MIN, { vwap: 2 }), overlayPoint(T0, { vwap: 1 }), overlayPoint(T0 + MIN, { vwap: 3 })], null);
    expect(overlayLineData(rows, 'vwap')).toEqual([
      { time: SEC(T0), value: 1 },
      { time: SEC(T0 + MIN), value: 3 },
    ]);
    expect(book.count).toBe(2);
  });

  it('when a new bar streams in then the last point is restyled for its successor and the new one appended', () => {
    const book = createOverlayBook(bySecond);
    book.load([overlayPoint(T0, { vwap: 1 })], SEC(T0));
    const updates = book.accept(overlayPoint(T0 + MIN, { vwap: null }));
    expect(updates.map((u) => [u.row.time, u.restyle, u.historical])).toEqual([
      [SEC(T0), true, false],
      [SEC(T0 + MIN), false, false],
    ]);
    // The gap now starting hides the segment out of the previous point.
    expect(updates.map((u) => overlayLineItem(u.row, u.next, 'vwap'))).toEqual([
      { time: SEC(T0), value: 1, color: GAP_COLOR },
      { time: SEC(T0 + MIN) },
    ]);
    expect(book.count).toBe(2);
  });

  it('when a bar is corrected then it replaces the last point and the point before is restyled in place', () => {
    const book = createOverlayBook(bySecond);
    book.load([overlayPoint(T0, { vwap: 1 }), overlayPoint(T0 + MIN, { vwap: 2 })], SEC(T0));
    const updates = book.accept(overlayPoint(T0 + MIN, { vwap: 2.5 }));
    expect(updates.map((u) => [u.row.time, u.restyle, u.historical])).toEqual([
      [SEC(T0), true, true],
      [SEC(T0 + MIN), false, false],
    ]);
    expect(book.count).toBe(2);
  });

  it('when a bar older than the last point streams in then it is ignored (the chart would throw)', () => {
    const book = createOverlayBook(bySecond);
    book.load([overlayPoint(T0), overlayPoint(T0 + MIN)], SEC(T0));
    expect(book.accept(overlayPoint(T0, { vwap: 9 }))).toEqual([]);
    expect(book.count).toBe(2);
  });

  it('when the first point streams into an empty book then it is appended alone', () => {
    const book = createOverlayBook(bySecond);
    book.load([], null);
    const updates = book.accept(overlayPoint(T0, { vwap: 1 }));
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ next: null, restyle: false, historical: false });
    book.clear();
    expect(book.count).toBe(0);
  });
});
