// The React faces of the backtest charts. Each creates its chart once on a ref and removes it on
// unmount. A finished run's equity is set once per result; the day chart follows the picked trade
// through a plain store subscription, so its bars never pass through React state.
import { useEffect, useRef } from 'react';
import type { EquityPoint } from '../../../shared/backtest';
import { useCockpit } from '../../store/context';
import { subscribeSlice } from '../../store/transient';
import { createDayChart, type DayChartHandle } from './dayChart';
import { createCompareChart, createEquityChart, type CompareChartHandle, type ComparedCurve, type EquityChartHandle } from './equityChart';

export function EquityChart({ runId, equity }: { runId: string; equity: readonly EquityPoint[] }) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<EquityChartHandle | null>(null);
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const handle = createEquityChart(container);
    chartRef.current = handle;
    return () => {
      chartRef.current = null;
      handle.remove();
    };
  }, []);
  useEffect(() => {
    chartRef.current?.show(runId, equity);
  }, [runId, equity]);
  // data-run, data-points and data-drawdown-points are written by the chart handle.
  return <div ref={containerRef} className="bt-chart bt-equity-chart" data-testid="backtest-equity-chart" />;
}

export function CompareChart({ curves }: { curves: readonly ComparedCurve[] }) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<CompareChartHandle | null>(null);
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const handle = createCompareChart(container);
    chartRef.current = handle;
    return () => {
      chartRef.current = null;
      handle.remove();
    };
  }, []);
  useEffect(() => {
    chartRef.current?.show(curves);
  }, [curves]);
  // data-series and data-runs are written by the chart handle.
  return <div ref={containerRef} className="bt-chart bt-compare-chart" data-testid="backtest-compare-chart" />;
}

/** The session of the picked trade of `runId`; empty until a trade is picked and its bars arrive. */
export function DayChart({ runId }: { runId: string }) {
  const { stores } = useCockpit();
  const containerRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const handle: DayChartHandle = createDayChart(container);
    const stop = subscribeSlice(stores.backtest, (s) => s.tradeDay, (day) => {
      if (day === null || day.runId !== runId || day.bars === null) handle.show(null);
      else handle.show({ symbol: day.symbol, date: day.date, trade: day.trade, bars: day.bars });
    });
    return () => {
      stop();
      handle.remove();
    };
  }, [stores, runId]);
  // data-symbol, data-date, data-trade, data-bar-count and data-markers are written by the chart handle.
  return <div ref={containerRef} className="bt-chart bt-day-chart" data-testid="backtest-day-chart" />;
}
