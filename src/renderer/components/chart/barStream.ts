// Feeds one symbol's bars into a chart: load the history, then apply `market.bar` events. Events that
// arrive while the history is in flight are held and replayed after it, so no bar falls between the
// snapshot and the stream. Kept free of React and of lightweight-charts so it can be tested.
import type { CockpitApi } from '../../../shared/contract';
import type { Bar } from '../../../shared/domain';

/** What the stream drives: the chart handle in the app, a recorder in tests. */
export interface BarSink {
  /** Empties the series and labels it with the symbol now being loaded. */
  show(symbol: string | null): void;
  setBars(bars: readonly Bar[]): void;
  applyBar(bar: Bar): void;
}

export interface BarStreamOptions {
  api: Pick<CockpitApi, 'on'>;
  /** Resolves to the symbol's recent bars, or null when the request failed (already noticed). */
  loadBars: (symbol: string) => Promise<readonly Bar[] | null>;
  sink: BarSink;
  symbol: string | null;
}

/** Starts streaming; the returned function stops it, after which nothing reaches the sink. */
export function streamBars({ api, loadBars, sink, symbol }: BarStreamOptions): () => void {
  sink.show(symbol);
  if (symbol === null) return () => {};

  let stopped = false;
  let held: Bar[] | null = [];
  const off = api.on('market.bar', (bar) => {
    if (stopped || bar.symbol !== symbol) return;
    if (held) held.push(bar);
    else sink.applyBar(bar);
  });

  void loadBars(symbol).then((bars) => {
    if (stopped) return;
    sink.setBars(bars ?? []);
    const pending = held ?? [];
    held = null;
    // The sink ignores those the snapshot already covers (older than its last bar).
    for (const bar of pending) sink.applyBar(bar);
  });

  return () => {
    stopped = true;
    off();
  };
}
