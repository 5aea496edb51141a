// The overlay lines on a chart: one thin line series per feature-engine overlay, created once with
// the chart and shown or hidden by the header toggles (hidden lines keep streaming, so turning one
// back on shows it at once, and hidden lines do not stretch the price scale). The container's
// `data-overlay-count-<key>` attributes report how many points each visible line holds.
import {
  LineSeries,
  LineStyle,
  type IChartApi,
  type ISeriesApi,
  type LineData,
  type UTCTimestamp,
  type WhitespaceData,
} from 'lightweight-charts';
import { OVERLAY_KEYS, type OverlayKey } from '../../../shared/contract';
import type { OverlayVisibility } from '../../store/chart/initialState';
import { createOverlayBook, overlayLineData, overlayLineItem, type OverlayLineItem, type OverlayPoint } from './overlayBook';
import { isLineVisible, OVERLAY_LINE_STYLES, type OverlayDash } from './overlayStyle';

type LineItem = LineData<UTCTimestamp> | WhitespaceData<UTCTimestamp>;

const DASH: Record<OverlayDash, LineStyle> = {
  solid: LineStyle.Solid,
  dotted: LineStyle.Dotted,
  dashed: LineStyle.Dashed,
};

export interface OverlayLines {
  clear(): void;
  /** `firstCandleTime`: the chart time of the first candle; older points are not shown. */
  setPoints(points: readonly OverlayPoint[], firstCandleTime: number | null): void;
  applyPoint(point: OverlayPoint): void;
  setVisibility(overlays: OverlayVisibility): void;
}

export const overlayCountAttribute = (key: OverlayKey): string => `data-overlay-count-${key}`;

export function createOverlayLines(
  chart: IChartApi,
  container: HTMLElement,
  chartTime: (start: number) => number,
  initial: OverlayVisibility,
): OverlayLines {
  let overlays = initial;
  const book = createOverlayBook(chartTime);
  const series = new Map<OverlayKey, ISeriesApi<'Line'>>(
    OVERLAY_KEYS.map((key) => {
      const style = OVERLAY_LINE_STYLES[key];
      const line = chart.addSeries(LineSeries, {
        color: style.color,
        lineWidth: 1,
        lineStyle: DASH[style.dash],
        lastValueVisible: false,
        priceLineVisible: false,
        crosshairMarkerVisible: false,
        visible: isLineVisible(key, overlays),
      });
      return [key, line];
    }),
  );

  // The book speaks plain seconds; the chart wants its nominal timestamp type.
  const toSeries = (it: OverlayLineItem): LineItem => {
    const time = it.time as UTCTimestamp;
    if (!('value' in it)) return { time };
    return it.color === undefined ? { time, value: it.value } : { time, value: it.value, color: it.color };
  };

  const report = (): void => {
    for (const key of OVERLAY_KEYS) {
      if (isLineVisible(key, overlays)) container.setAttribute(overlayCountAttribute(key), String(book.count));
      else container.removeAttribute(overlayCountAttribute(key));
    }
  };
  report();

  return {
    clear() {
      book.clear();
      for (const line of series.values()) line.setData([]);
      report();
    },
    setPoints(points, firstCandleTime) {
      const rows = book.load(points, firstCandleTime);
      for (const [key, line] of series) line.setData(overlayLineData(rows, key).map(toSeries));
      report();
    },
    applyPoint(point) {
      const updates = book.accept(point);
      if (updates.length === 0) return;
      // `update` appends a new time and replaces the value at the line's last time.
      for (const [key, line] of series) {
        for (const u of updates) {
          const it = overlayLineItem(u.row, u.next, key);
          if (u.restyle && !('value' in it)) continue;
          line.update(toSeries(it), u.historical);
        }
      }
      report();
    },
    setVisibility(next) {
      if (next === overlays) return;
      overlays = next;
      for (const [key, line] of series) line.applyOptions({ visible: isLineVisible(key, overlays) });
      report();
    },
  };
}
