// The day chart of a backtest trade: one lightweight-charts instance with the session's candles and
// volume, the trade's entry and exit as series markers, dashed price lines at its two prices, and the
// time scale brought to the trade. The container's data attributes say what is drawn (symbol, New
// York date, trade number, bar count, markers) for tests and tools. After `remove()` every call is a
// no-op.
import {
  createSeriesMarkers,
  LineStyle,
  type IPriceLine,
  type SeriesMarker,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { BacktestTrade } from '../../../shared/backtest';
import type { Bar } from '../../../shared/domain';
import { candleChartBase, CHART_COLORS } from '../chart/candleChart';
import { MARKER_COLORS } from '../chart/executionMarkers';
import { createNyTimeShifter } from '../nyTime';
import { tradeMarkers, tradeViewRange } from './tradeMarkers';

export interface TradeDayView {
  symbol: string;
  date: string;
  trade: BacktestTrade;
  bars: readonly Bar[];
}

export interface DayChartHandle {
  /** Draws a trade's day; null empties the chart. */
  show(view: TradeDayView | null): void;
  remove(): void;
}

export function createDayChart(container: HTMLElement): DayChartHandle {
  const { chart, candles, volume } = candleChartBase(container, { top: 0.08, bottom: 0.25 });
  chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  const markers = createSeriesMarkers(candles, []);
  const shift = createNyTimeShifter();
  const chartTime = (start: number): UTCTimestamp => Math.floor(shift(start) / 1000) as UTCTimestamp;
  let priceLines: IPriceLine[] = [];
  let removed = false;

  const report = (view: TradeDayView | null, barCount: number, markerCount: number): void => {
    container.dataset.symbol = view?.symbol ?? '';
    container.dataset.date = view?.date ?? '';
    container.dataset.trade = view ? String(view.trade.n) : '';
    container.dataset.barCount = String(barCount);
    container.dataset.markers = String(markerCount);
  };
  report(null, 0, 0);

  return {
    show(view) {
      if (removed) return;
      for (const line of priceLines) candles.removePriceLine(line);
      priceLines = [];
      if (!view) {
        candles.setData([]);
        volume.setData([]);
        markers.setMarkers([]);
        report(null, 0, 0);
        return;
      }
      // One bar per chart time, in order: lightweight-charts throws on anything else.
      const bars: Bar[] = [];
      for (const bar of [...view.bars].sort((a, b) => a.start - b.start)) {
        if (bars.length > 0 && chartTime(bars[bars.length - 1]!.start) === chartTime(bar.start)) bars[bars.length - 1] = bar;
        else bars.push(bar);
      }
      candles.setData(bars.map((b) => ({ time: chartTime(b.start), open: b.open, high: b.high, low: b.low, close: b.close })));
      volume.setData(
        bars.map((b) => ({ time: chartTime(b.start), value: b.volume, color: b.close >= b.open ? CHART_COLORS.upVolume : CHART_COLORS.downVolume })),
      );
      const drawn = tradeMarkers(view.trade, bars);
      markers.setMarkers(
        drawn.map(
          (m): SeriesMarker<UTCTimestamp> => ({ time: chartTime(m.barStart), position: m.position, shape: m.shape, color: m.color, text: m.text, id: m.which }),
        ),
      );
      priceLines = [
        candles.createPriceLine({ price: view.trade.entryPrice, color: MARKER_COLORS.entry, lineStyle: LineStyle.Dashed, lineWidth: 1, title: 'entry' }),
        candles.createPriceLine({ price: view.trade.exitPrice, color: MARKER_COLORS.exit, lineStyle: LineStyle.Dashed, lineWidth: 1, title: 'exit' }),
      ];
      const range = tradeViewRange(drawn, bars.length);
      if (range) chart.timeScale().setVisibleLogicalRange(range);
      else chart.timeScale().fitContent();
      report(view, bars.length, drawn.length);
    },
    remove() {
      if (removed) return;
      removed = true;
      chart.remove();
    },
  };
}
