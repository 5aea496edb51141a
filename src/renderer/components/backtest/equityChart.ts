// The equity charts of finished runs: one run's equity over its drawdown (two panes of one
// lightweight-charts instance, so their time axes move together), and the compare chart that
// overlays several runs' equity as returns, so runs with different bankrolls read on one scale.
// A finished result is set once; nothing here streams. The containers' data attributes say what is
// drawn. After `remove()` every call is a no-op.
import { AreaSeries, ColorType, createChart, LineSeries, type IChartApi, type ISeriesApi, type LineData, type UTCTimestamp } from 'lightweight-charts';
import type { EquityPoint } from '../../../shared/backtest';
import { CHART_COLORS } from '../chart/candleChart';
import { createNyTimeShifter } from '../nyTime';

/** Line colours of compared runs, in the order they were picked (the compare table's column colours too). */
export const COMPARE_COLORS = ['#2962ff', '#ff9100', '#e040fb', '#18ffff'] as const;
export const EQUITY_COLOR = '#2962ff';
const DRAWDOWN_COLOR = CHART_COLORS.down;

export interface ChartPoint {
  time: number;
  value: number;
}

/**
 * Points at chart times (seconds, New York wall clock written as UTC), ordered, one per time (the
 * last of several wins): what a lightweight-charts series accepts. Values that are not finite are left out.
 */
export function toChartPoints(points: readonly EquityPoint[], chartTime: (t: number) => number, value: (p: EquityPoint) => number): ChartPoint[] {
  const keyed = points.map((p, i) => ({ p, i, time: chartTime(p.t) }));
  keyed.sort((a, b) => a.time - b.time || a.i - b.i);
  const out: ChartPoint[] = [];
  for (const { p, time } of keyed) {
    const v = value(p);
    if (!Number.isFinite(v)) continue;
    if (out.length > 0 && out[out.length - 1]!.time === time) out[out.length - 1] = { time, value: v };
    else out.push({ time, value: v });
  }
  return out;
}

/** A drawdown as a negative percent below the peak, whichever sign the engine gives it. */
export const drawdownPercent = (p: EquityPoint): number => -Math.abs(p.drawdown) * 100;

/** Equity as a percent return on `start` (the run's starting equity). */
export const returnPercent =
  (start: number) =>
  (p: EquityPoint): number =>
    start > 0 ? (p.equity / start - 1) * 100 : Number.NaN;

function baseChart(container: HTMLElement): IChartApi {
  return createChart(container, {
    autoSize: true,
    layout: { background: { type: ColorType.Solid, color: CHART_COLORS.background }, textColor: CHART_COLORS.text },
    grid: { vertLines: { color: CHART_COLORS.grid }, horzLines: { color: CHART_COLORS.grid } },
    timeScale: { timeVisible: true, secondsVisible: false, borderColor: CHART_COLORS.grid },
    rightPriceScale: { borderColor: CHART_COLORS.grid },
  });
}

const asLine = (points: readonly ChartPoint[]): LineData<UTCTimestamp>[] => points.map((p) => ({ time: p.time as UTCTimestamp, value: p.value }));

export interface EquityChartHandle {
  show(runId: string | null, equity: readonly EquityPoint[]): void;
  remove(): void;
}

export function createEquityChart(container: HTMLElement): EquityChartHandle {
  const chart = baseChart(container);
  const shift = createNyTimeShifter();
  const chartTime = (t: number): number => Math.floor(shift(t) / 1000);
  const equity = chart.addSeries(LineSeries, { color: EQUITY_COLOR, lineWidth: 2, priceLineVisible: false, title: 'equity' }, 0);
  const drawdown = chart.addSeries(
    AreaSeries,
    {
      lineColor: DRAWDOWN_COLOR,
      topColor: 'rgba(239, 83, 80, 0.05)',
      bottomColor: 'rgba(239, 83, 80, 0.4)',
      invertFilledArea: true,
      lineWidth: 1,
      priceLineVisible: false,
      priceFormat: { type: 'custom', formatter: (v: number) => `${v.toFixed(2)}%` },
      title: 'drawdown',
    },
    1,
  );
  chart.panes()[0]?.setStretchFactor(0.7);
  chart.panes()[1]?.setStretchFactor(0.3);
  let removed = false;
  container.dataset.run = '';
  container.dataset.points = '0';

  return {
    show(runId, points) {
      if (removed) return;
      const eq = toChartPoints(points, chartTime, (p) => p.equity);
      const dd = toChartPoints(points, chartTime, drawdownPercent);
      equity.setData(asLine(eq));
      drawdown.setData(asLine(dd));
      chart.timeScale().fitContent();
      container.dataset.run = runId ?? '';
      container.dataset.points = String(eq.length);
      container.dataset.drawdownPoints = String(dd.length);
    },
    remove() {
      if (removed) return;
      removed = true;
      chart.remove();
    },
  };
}

export interface ComparedCurve {
  runId: string;
  label: string;
  startEquity: number;
  equity: readonly EquityPoint[];
}

export interface CompareChartHandle {
  show(curves: readonly ComparedCurve[]): void;
  remove(): void;
}

export function createCompareChart(container: HTMLElement): CompareChartHandle {
  const chart = baseChart(container);
  chart.applyOptions({ rightPriceScale: { borderColor: CHART_COLORS.grid } });
  const shift = createNyTimeShifter();
  const chartTime = (t: number): number => Math.floor(shift(t) / 1000);
  let series: ISeriesApi<'Line'>[] = [];
  let removed = false;
  container.dataset.series = '0';
  container.dataset.runs = '';

  return {
    show(curves) {
      if (removed) return;
      for (const s of series) chart.removeSeries(s);
      series = curves.map((c, i) => {
        const line = chart.addSeries(LineSeries, {
          color: COMPARE_COLORS[i % COMPARE_COLORS.length],
          lineWidth: 2,
          priceLineVisible: false,
          title: c.label,
          priceFormat: { type: 'custom', formatter: (v: number) => `${v.toFixed(2)}%` },
        });
        line.setData(asLine(toChartPoints(c.equity, chartTime, returnPercent(c.startEquity))));
        return line;
      });
      chart.timeScale().fitContent();
      container.dataset.series = String(series.length);
      container.dataset.runs = curves.map((c) => c.runId).join(',');
    },
    remove() {
      if (removed) return;
      removed = true;
      chart.remove();
    },
  };
}
