// Bookkeeping for the overlay lines, kept apart from lightweight-charts so it can be tested: which
// points the lines hold and each line's data. A null value is whitespace (`{ time }`), but
// lightweight-charts 5 draws a line straight across whitespace, so the point before a gap is given a
// transparent colour: a line segment takes the colour of the point it starts from. The same hides the
// segment between one session's last point and the next session's first, which would otherwise cross
// the night (and any pre- and post-market candles) as a diagonal.
import type { OverlayKey, ResponseOf } from '../../../shared/contract';

export type OverlayPoint = ResponseOf<'market.overlays'>['points'][number];
export type OverlayValues = OverlayPoint['values'];

/** One bar's overlay values at its chart time (seconds). */
export interface OverlayRow {
  time: number;
  values: OverlayValues;
}

/** lightweight-charts line data: a point, a point whose outgoing segment is hidden, or whitespace. */
export type OverlayLineItem = { time: number; value: number; color?: string } | { time: number };

/** The colour of a point whose segment to the next point must not show. */
export const GAP_COLOR = 'rgba(0, 0, 0, 0)';

const DAY_S = 86_400;
/** Chart times are New York wall clock written as UTC, so whole days of them are New York dates. */
export const sessionOf = (time: number): number => Math.floor(time / DAY_S);

// `?? null`: an engine older than a key sends no value for it, which is a gap too.
const valueOf = (row: OverlayRow, key: OverlayKey): number | null => row.values[key] ?? null;

/** A row's item on one line; `next` is the row after it on the lines, if any yet. */
export function overlayLineItem(row: OverlayRow, next: OverlayRow | null, key: OverlayKey): OverlayLineItem {
  const value = valueOf(row, key);
  if (value === null) return { time: row.time };
  const gapAfter = next !== null && (valueOf(next, key) === null || sessionOf(next.time) !== sessionOf(row.time));
  return gapAfter ? { time: row.time, value, color: GAP_COLOR } : { time: row.time, value };
}

export function overlayLineData(rows: readonly OverlayRow[], key: OverlayKey): OverlayLineItem[] {
  return rows.map((row, i) => overlayLineItem(row, rows[i + 1] ?? null, key));
}

/** One `update` per line that a streamed point causes. */
export interface OverlayUpdate {
  row: OverlayRow;
  next: OverlayRow | null;
  /**
   * The row is already on the lines and only its colour may change now that its successor is known;
   * whitespace has no colour, so such an update is skipped where the row is whitespace.
   */
  restyle: boolean;
  /** The row is not the lines' last one (lightweight-charts' `historicalUpdate`). */
  historical: boolean;
}

export interface OverlayBook {
  /** Overlay points the lines hold (one per bar, nulls included). */
  readonly count: number;
  /**
   * Orders a snapshot by chart time (the later of two points at one time wins) and drops points
   * older than the first candle, which would stretch the time axis past the candles. The result
   * becomes the lines.
   */
  load(points: readonly OverlayPoint[], firstCandleTime: number | null): OverlayRow[];
  /** The updates a streamed point causes, in order: none when it is older than the last point. */
  accept(point: OverlayPoint): OverlayUpdate[];
  clear(): void;
}

/** `chartTime` maps a bar start (epoch ms) to the chart's time in seconds, the one the candles use. */
export function createOverlayBook(chartTime: (start: number) => number): OverlayBook {
  let count = 0;
  let last: OverlayRow | null = null;
  let beforeLast: OverlayRow | null = null;

  return {
    get count() {
      return count;
    },
    load(points, firstCandleTime) {
      const keyed = points.map((point, i) => ({ row: { time: chartTime(point.start), values: point.values }, i }));
      keyed.sort((a, b) => a.row.time - b.row.time || a.i - b.i);
      const rows: OverlayRow[] = [];
      for (const { row } of keyed) {
        if (firstCandleTime !== null && row.time < firstCandleTime) continue;
        if (rows.length > 0 && rows[rows.length - 1]!.time === row.time) rows[rows.length - 1] = row;
        else rows.push(row);
      }
      count = rows.length;
      last = rows[rows.length - 1] ?? null;
      beforeLast = rows[rows.length - 2] ?? null;
      return rows;
    },
    accept(point) {
      const row: OverlayRow = { time: chartTime(point.start), values: point.values };
      if (last !== null && row.time < last.time) return [];
      const updates: OverlayUpdate[] = [];
      if (last !== null && row.time === last.time) {
        // A corrected bar: the row before it may gain or lose its gap colour.
        if (beforeLast !== null) updates.push({ row: beforeLast, next: row, restyle: true, historical: true });
      } else {
        if (last !== null) updates.push({ row: last, next: row, restyle: true, historical: false });
        beforeLast = last;
        count += 1;
      }
      last = row;
      updates.push({ row, next: null, restyle: false, historical: false });
      return updates;
    },
    clear() {
      count = 0;
      last = null;
      beforeLast = null;
    },
  };
}
