// The candlestick chart itself: one lightweight-charts instance with a candle series, a volume
// histogram on its own scale at the bottom, the feature-engine overlay lines on the price scale and
// the trader's executions as markers on the candles. The container's data attributes report what the
// series hold (symbol, bar count, overlay point counts, the markers drawn) for tests and tools. After
// `remove()` every call is a no-op.
import {
  CandlestickSeries,
  ColorType,
  createChart,
  createSeriesMarkers,
  HistogramSeries,
  type CandlestickData,
  type HistogramData,
  type SeriesMarker,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { Bar } from '../../../shared/domain';
import type { OverlayVisibility } from '../../store/chart/initialState';
import { createNyTimeShifter } from '../nyTime';
import type { BarSink } from './barStream';
import { markerLook, markersWithin, type ExecutionMarker } from './executionMarkers';
import { createOverlayLines } from './overlayLines';
import { createSeriesBook } from './seriesBook';

export const CHART_COLORS = {
  background: '#131722',
  text: '#d1d4dc',
  grid: '#1e222d',
  up: '#26a69a',
  down: '#ef5350',
  upVolume: 'rgba(38, 166, 154, 0.45)',
  downVolume: 'rgba(239, 83, 80, 0.45)',
} as const;

/** How many recent bars are in view after a load; more would squeeze the candles to hairlines. */
const BARS_IN_VIEW = 200;

export interface CandleChartHandle extends BarSink {
  /** Shows the overlay lines of the groups switched on, hides the others. */
  showOverlays(overlays: OverlayVisibility): void;
  /**
   * The shown symbol's executions, oldest first. Those whose bar the candles hold are drawn; the
   * rest wait for their bar (a fill belongs to a bar that may not have been published yet).
   */
  setExecutions(markers: readonly ExecutionMarker[]): void;
  remove(): void;
}

/** The chart with its candle and volume series, as the live chart and a backtest trade's day chart draw them. */
export function candleChartBase(container: HTMLElement, candleMargins: { top: number; bottom: number }) {
  const chart = createChart(container, {
    autoSize: true,
    layout: { background: { type: ColorType.Solid, color: CHART_COLORS.background }, textColor: CHART_COLORS.text },
    grid: { vertLines: { color: CHART_COLORS.grid }, horzLines: { color: CHART_COLORS.grid } },
    // Times are New York wall clock presented as UTC, so the axis shows exchange time.
    timeScale: { timeVisible: true, secondsVisible: false, borderColor: CHART_COLORS.grid },
    rightPriceScale: { borderColor: CHART_COLORS.grid },
  });
  const candles = chart.addSeries(CandlestickSeries, {
    upColor: CHART_COLORS.up,
    downColor: CHART_COLORS.down,
    borderUpColor: CHART_COLORS.up,
    borderDownColor: CHART_COLORS.down,
    wickUpColor: CHART_COLORS.up,
    wickDownColor: CHART_COLORS.down,
  });
  candles.priceScale().applyOptions({ scaleMargins: candleMargins });
  const volume = chart.addSeries(HistogramSeries, { priceFormat: { type: 'volume' }, priceScaleId: 'volume', lastValueVisible: false, priceLineVisible: false });
  return { chart, candles, volume };
}

export function createCandleChart(container: HTMLElement, overlays: OverlayVisibility): CandleChartHandle {
  const { chart, candles, volume } = candleChartBase(container, { top: 0.06, bottom: 0.28 });
  chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.78, bottom: 0 } });

  const executionMarkers = createSeriesMarkers(candles, []);

  const shift = createNyTimeShifter();
  // Overlay points carry their bar's start, so both go through this one shift and line up.
  const chartTime = (start: number): UTCTimestamp => Math.floor(shift(start) / 1000) as UTCTimestamp;
  const timeOf = (bar: Bar): UTCTimestamp => chartTime(bar.start);
  const book = createSeriesBook(timeOf);
  const lines = createOverlayLines(chart, container, chartTime, overlays);
  /** Overlay points older than this would widen the time axis past the candles. */
  let firstCandleTime: number | null = null;
  const toCandle = (bar: Bar): CandlestickData<UTCTimestamp> => ({
    time: timeOf(bar),
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
  });
  const toVolume = (bar: Bar): HistogramData<UTCTimestamp> => ({
    time: timeOf(bar),
    value: bar.volume,
    color: bar.close >= bar.open ? CHART_COLORS.upVolume : CHART_COLORS.downVolume,
  });
  const report = (): void => {
    container.dataset.barCount = String(book.count);
  };

  /** Bar starts (epoch ms) of the first and last candle, which bound the markers drawn. */
  let firstBarStart: number | null = null;
  let lastBarStart: number | null = null;
  let executions: readonly ExecutionMarker[] = [];
  /** What the markers plugin holds now: a new bar only costs a redraw when it brings a marker in. */
  let drawn = { list: executions, from: 0, to: 0 };
  const drawMarkers = (): void => {
    const { from, to } = markersWithin(executions, firstBarStart, lastBarStart);
    if (drawn.list === executions && drawn.from === from && drawn.to === to) return;
    drawn = { list: executions, from, to };
    const shown = executions.slice(from, to);
    executionMarkers.setMarkers(
      shown.map((m): SeriesMarker<UTCTimestamp> => ({ time: chartTime(m.barStart), id: m.clientOrderId, ...markerLook(m) })),
    );
    container.dataset.markers = shown.map((m) => m.label).join(',');
    container.dataset.markerCount = String(shown.length);
  };

  let removed = false;
  container.dataset.symbol = '';
  container.dataset.markers = '';
  container.dataset.markerCount = '0';
  report();

  return {
    show(symbol) {
      if (removed) return;
      book.clear();
      firstCandleTime = null;
      firstBarStart = null;
      lastBarStart = null;
      candles.setData([]);
      volume.setData([]);
      lines.clear();
      container.dataset.symbol = symbol ?? '';
      report();
      drawMarkers();
    },
    setBars(bars) {
      if (removed) return;
      const ordered = book.load(bars);
      firstCandleTime = ordered[0] ? timeOf(ordered[0]) : null;
      firstBarStart = ordered[0]?.start ?? null;
      lastBarStart = ordered[ordered.length - 1]?.start ?? null;
      candles.setData(ordered.map(toCandle));
      volume.setData(ordered.map(toVolume));
      if (ordered.length > BARS_IN_VIEW) {
        chart.timeScale().setVisibleLogicalRange({ from: ordered.length - BARS_IN_VIEW, to: ordered.length + 2 });
      } else {
        chart.timeScale().fitContent();
      }
      report();
      drawMarkers();
    },
    applyBar(bar) {
      if (removed) return;
      const action = book.accept(bar);
      if (action === 'ignore') return;
      // `update` appends a bar with a new time and replaces the last one with the same time.
      candles.update(toCandle(bar));
      volume.update(toVolume(bar));
      report();
      if (action === 'append') {
        firstBarStart ??= bar.start;
        lastBarStart = bar.start;
        drawMarkers();
      }
    },
    setOverlays(points) {
      if (removed) return;
      lines.setPoints(points, firstCandleTime);
    },
    applyOverlay(point) {
      if (removed) return;
      lines.applyPoint(point);
    },
    showOverlays(next) {
      if (removed) return;
      lines.setVisibility(next);
    },
    setExecutions(markers) {
      if (removed) return;
      executions = markers;
      drawMarkers();
    },
    remove() {
      if (removed) return;
      removed = true;
      chart.remove();
    },
  };
}
