// Feeds one symbol's bars and overlay lines into a chart: load the bar and overlay histories
// together, then apply `market.bar` and `market.overlay` events. Events that arrive while the
// histories are in flight are held and replayed after them in arrival order, so nothing falls between
// the snapshots and the stream. The bars are set before the overlays because the overlay lines are
// trimmed to the candles. Kept free of React and of lightweight-charts so it can be tested; no event
// passes through React state.
import type { CockpitApi } from '../../../shared/contract';
import type { Bar } from '../../../shared/domain';
import type { OverlayPoint } from './overlayBook';

/** What the stream drives: the chart handle in the app, a recorder in tests. */
export interface BarSink {
  /** Empties the series and labels it with the symbol now being loaded. */
  show(symbol: string | null): void;
  setBars(bars: readonly Bar[]): void;
  applyBar(bar: Bar): void;
  /** Replaces the overlay lines; called right after `setBars`. */
  setOverlays(points: readonly OverlayPoint[]): void;
  applyOverlay(point: OverlayPoint): void;
}

export interface BarStreamOptions {
  api: Pick<CockpitApi, 'on'>;
  /** Resolves to the symbol's recent bars, or null when the request failed (already noticed). */
  loadBars: (symbol: string) => Promise<readonly Bar[] | null>;
  /** Resolves to the symbol's recent overlay points, or null when the request failed (already noticed). */
  loadOverlays: (symbol: string) => Promise<readonly OverlayPoint[] | null>;
  sink: BarSink;
  symbol: string | null;
}

type Held = { kind: 'bar'; bar: Bar } | { kind: 'overlay'; point: OverlayPoint };

/** Starts streaming; the returned function stops it, after which nothing reaches the sink. */
export function streamBars({ api, loadBars, loadOverlays, sink, symbol }: BarStreamOptions): () => void {
  sink.show(symbol);
  if (symbol === null) return () => {};

  let stopped = false;
  let held: Held[] | null = [];
  const offBar = api.on('market.bar', (bar) => {
    if (stopped || bar.symbol !== symbol) return;
    if (held) held.push({ kind: 'bar', bar });
    else sink.applyBar(bar);
  });
  const offOverlay = api.on('market.overlay', ({ symbol: of, ...point }) => {
    if (stopped || of !== symbol) return;
    if (held) held.push({ kind: 'overlay', point });
    else sink.applyOverlay(point);
  });

  void Promise.all([loadBars(symbol), loadOverlays(symbol)]).then(([bars, points]) => {
    if (stopped) return;
    sink.setBars(bars ?? []);
    sink.setOverlays(points ?? []);
    const pending = held ?? [];
    held = null;
    // The sink ignores those the snapshots already cover (older than their last bar or point).
    for (const event of pending) {
      if (event.kind === 'bar') sink.applyBar(event.bar);
      else sink.applyOverlay(event.point);
    }
  });

  return () => {
    stopped = true;
    offBar();
    offOverlay();
  };
}
