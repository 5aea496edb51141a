// The React face of the chart: creates it once on a ref, re-points the bar stream when the symbol
// changes, removes it on unmount. Bars never pass through React state.
import { useEffect, useRef } from 'react';
import { useCockpit, useSession } from '../../store/context';
import { sessionSelectors } from '../../store/session/selectors';
import { streamBars } from './barStream';
import { createCandleChart, type CandleChartHandle } from './candleChart';

/** Bars requested when a symbol is shown. */
export const CHART_HISTORY_BARS = 1000;

export function CandleChart({ symbol }: { symbol: string | null }) {
  const { api, engine } = useCockpit();
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<CandleChartHandle | null>(null);
  // Bars pushed while the connection was down are lost, so each reconnect reloads the history.
  const connectionEpoch = useSession(sessionSelectors.connectionEpoch);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const handle = createCandleChart(container);
    chartRef.current = handle;
    return () => {
      chartRef.current = null;
      handle.remove();
    };
  }, []);

  useEffect(() => {
    const sink = chartRef.current;
    if (!sink) return;
    return streamBars({
      api,
      sink,
      symbol,
      loadBars: async (s) => {
        const result = await engine.call('market.bars', { symbol: s, limit: CHART_HISTORY_BARS });
        return result.ok ? result.data.bars : null;
      },
    });
  }, [api, engine, symbol, connectionEpoch]);

  // data-symbol and data-bar-count are written by the chart handle, not by React, so they always
  // describe what the series holds rather than what was last asked for.
  return <div ref={containerRef} className="chart-canvas" data-testid="chart" />;
}
