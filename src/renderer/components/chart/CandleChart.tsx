// The React face of the chart: creates it once on a ref, re-points the bar and overlay stream when
// the symbol changes, shows or hides overlay lines when a toggle changes, removes it on unmount.
// Bars and overlay points never pass through React state; the execution markers follow the blotter
// store through a plain subscription, so an order update re-renders nothing.
import { useEffect, useRef } from 'react';
import { chartSelectors } from '../../store/chart/selectors';
import { useChart, useCockpit, useSession } from '../../store/context';
import { sessionSelectors } from '../../store/session/selectors';
import { streamBars } from './barStream';
import { createCandleChart, type CandleChartHandle } from './candleChart';
import { executionMarkersOf, sameMarkers } from './executionMarkers';

/** Bars (and overlay points) requested when a symbol is shown. */
export const CHART_HISTORY_BARS = 1000;

export function CandleChart({ symbol }: { symbol: string | null }) {
  const { api, engine, stores } = useCockpit();
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<CandleChartHandle | null>(null);
  // Bars pushed while the connection was down are lost, so each reconnect reloads the history.
  const connectionEpoch = useSession(sessionSelectors.connectionEpoch);
  const overlays = useChart(chartSelectors.overlays);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const handle = createCandleChart(container, stores.chart.getState().overlays);
    chartRef.current = handle;
    return () => {
      chartRef.current = null;
      handle.remove();
    };
  }, [stores]);

  useEffect(() => {
    chartRef.current?.showOverlays(overlays);
  }, [overlays]);

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
      loadOverlays: async (s) => {
        const result = await engine.call('market.overlays', { symbol: s, limit: CHART_HISTORY_BARS });
        return result.ok ? result.data.points : null;
      },
    });
  }, [api, engine, symbol, connectionEpoch]);

  // After the stream effect, so a new symbol's markers are set once its series has been emptied.
  useEffect(() => {
    const blotter = stores.blotter;
    let { orders, fillAt } = blotter.getState();
    let markers = executionMarkersOf(orders, fillAt, symbol);
    chartRef.current?.setExecutions(markers);
    return blotter.subscribe((s) => {
      // Positions and listing flags change too; only orders and fill times move the markers.
      if (s.orders === orders && s.fillAt === fillAt) return;
      ({ orders, fillAt } = s);
      const next = executionMarkersOf(orders, fillAt, symbol);
      if (sameMarkers(markers, next)) return;
      markers = next;
      chartRef.current?.setExecutions(markers);
    });
  }, [stores, symbol]);

  // data-symbol, data-bar-count, data-overlay-count-<line> and data-markers are written by the chart
  // handle, not by React, so they always describe what the series hold rather than what was last asked for.
  return <div ref={containerRef} className="chart-canvas" data-testid="chart" />;
}
