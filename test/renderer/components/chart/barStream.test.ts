// The bar stream: bar and overlay histories first, then live bars and overlay points, with nothing
// lost in between and nothing after stop.
import { describe, expect, it } from 'vitest';
import { streamBars, type BarSink } from '../../../../src/renderer/components/chart/barStream';
import type { OverlayPoint } from '../../../../src/renderer/components/chart/overlayBook';
import type { Bar } from '../../../../src/shared/domain';
import { bar, createFakeApi, flush, overlayPoint, T0 } from '../../fakes';

const MIN = 60_000;

function recorder(): BarSink & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    show: (symbol) => log.push(`show ${symbol ?? '-'}`),
    setBars: (bars) => log.push(`set ${bars.length}`),
    applyBar: (b) => log.push(`bar ${b.symbol} ${b.close}`),
    setOverlays: (points) => log.push(`overlays ${points.length}`),
    applyOverlay: (p) => log.push(`overlay ${p.values.vwap}`),
  };
}

const noOverlays = (): Promise<readonly OverlayPoint[] | null> => Promise.resolve([]);

/** A history request the test resolves by hand. */
function deferredBars() {
  let resolve: (bars: readonly Bar[] | null) => void = () => {};
  const promise = new Promise<readonly Bar[] | null>((r) => (resolve = r));
  return { load: () => promise, resolve };
}

describe('streamBars', () => {
  it('when bars stream in while the history loads then they are applied after it, in order', async () => {
    const fake = createFakeApi();
    const sink = recorder();
    const history = deferredBars();
    streamBars({ api: fake.api, sink, symbol: 'AAPL', loadBars: history.load, loadOverlays: noOverlays });
    fake.emit('market.bar', bar('AAPL', T0 + 2 * MIN, 3));
    fake.emit('market.bar', bar('MSFT', T0 + 2 * MIN, 50));
    history.resolve([bar('AAPL', T0, 1), bar('AAPL', T0 + MIN, 2)]);
    await flush();
    fake.emit('market.bar', bar('AAPL', T0 + 3 * MIN, 4));
    expect(sink.log).toEqual(['show AAPL', 'set 2', 'overlays 0', 'bar AAPL 3', 'bar AAPL 4']);
  });

  it('when the symbol changes before the history arrives then the old answer is dropped', async () => {
    const fake = createFakeApi();
    const sink = recorder();
    const history = deferredBars();
    const stop = streamBars({ api: fake.api, sink, symbol: 'AAPL', loadBars: history.load, loadOverlays: noOverlays });
    stop();
    history.resolve([bar('AAPL', T0, 1)]);
    fake.emit('market.bar', bar('AAPL', T0 + MIN, 2));
    await flush();
    expect(sink.log).toEqual(['show AAPL']);
    expect(fake.listenerCount('market.bar')).toBe(0);
    expect(fake.listenerCount('market.overlay')).toBe(0);
  });

  it('when the history request fails then the chart is emptied and live bars still flow', async () => {
    const fake = createFakeApi();
    const sink = recorder();
    streamBars({ api: fake.api, sink, symbol: 'AAPL', loadBars: () => Promise.resolve(null), loadOverlays: noOverlays });
    await flush();
    fake.emit('market.bar', bar('AAPL', T0, 1));
    expect(sink.log).toEqual(['show AAPL', 'set 0', 'overlays 0', 'bar AAPL 1']);
  });

  it('when no symbol is selected then the chart is emptied and nothing is requested', () => {
    const fake = createFakeApi();
    const sink = recorder();
    let requested = false;
    streamBars({
      api: fake.api,
      sink,
      symbol: null,
      loadBars: () => {
        requested = true;
        return Promise.resolve([]);
      },
      loadOverlays: () => {
        requested = true;
        return Promise.resolve([]);
      },
    });
    expect(sink.log).toEqual(['show -']);
    expect(requested).toBe(false);
    expect(fake.listenerCount('market.bar')).toBe(0);
    expect(fake.listenerCount('market.overlay')).toBe(0);
  });

  it('when overlay points stream in while the histories load then they follow the bars, in arrival order', async () => {
    const fake = createFakeApi();
    const sink = recorder();
    const history = deferredBars();
    let resolveOverlays: (points: readonly OverlayPoint[] | null) => void = () => {};
    const overlays = new Promise<readonly OverlayPoint[] | null>((r) => (resolveOverlays = r));
    streamBars({ api: fake.api, sink, symbol: 'AAPL', loadBars: history.load, loadOverlays: () => overlays });
    // The engine sends a closed bar's overlay point before the bar itself.
    fake.emit('market.overlay', { symbol: 'AAPL', ...overlayPoint(T0 + 2 * MIN, { vwap: 101 }) });
    fake.emit('market.bar', bar('AAPL', T0 + 2 * MIN, 3));
    fake.emit('market.overlay', { symbol: 'MSFT', ...overlayPoint(T0 + 2 * MIN, { vwap: 400 }) });
    // Neither history alone is enough: the bars must be set before the lines are trimmed against them.
    history.resolve([bar('AAPL', T0, 1), bar('AAPL', T0 + MIN, 2)]);
    await flush();
    expect(sink.log).toEqual(['show AAPL']);
    resolveOverlays([overlayPoint(T0, { vwap: 99 }), overlayPoint(T0 + MIN, { vwap: 100 })]);
    await flush();
    fake.emit('market.overlay', { symbol: 'AAPL', ...overlayPoint(T0 + 3 * MIN, { vwap: 102 }) });
    expect(sink.log).toEqual(['show AAPL', 'set 2', 'overlays 2', 'overlay 101', 'bar AAPL 3', 'overlay 102']);
  });

  it('when the overlay request fails then the bars still load and live overlay points still flow', async () => {
    const fake = createFakeApi();
    const sink = recorder();
    streamBars({
      api: fake.api,
      sink,
      symbol: 'AAPL',
      loadBars: () => Promise.resolve([bar('AAPL', T0, 1)]),
      loadOverlays: () => Promise.resolve(null),
    });
    await flush();
    fake.emit('market.overlay', { symbol: 'AAPL', ...overlayPoint(T0 + MIN, { vwap: 100 }) });
    expect(sink.log).toEqual(['show AAPL', 'set 1', 'overlays 0', 'overlay 100']);
  });
});
