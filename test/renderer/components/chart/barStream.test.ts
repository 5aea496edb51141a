// The bar stream: history first, then live bars, with nothing lost in between and nothing after stop.
import { describe, expect, it } from 'vitest';
import { streamBars, type BarSink } from '../../../../src/renderer/components/chart/barStream';
import type { Bar } from '../../../../src/shared/domain';
import { bar, createFakeApi, flush, T0 } from '../../fakes';

const MIN = 60_000;

function recorder(): BarSink & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    show: (symbol) => log.push(`show ${symbol ?? '-'}`),
    setBars: (bars) => log.push(`set ${bars.length}`),
    applyBar: (b) => log.push(`bar ${b.symbol} ${b.close}`),
  };
}

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
    streamBars({ api: fake.api, sink, symbol: 'AAPL', loadBars: history.load });
    fake.emit('market.bar', bar('AAPL', T0 + 2 * MIN, 3));
    fake.emit('market.bar', bar('MSFT', T0 + 2 * MIN, 50));
    history.resolve([bar('AAPL', T0, 1), bar('AAPL', T0 + MIN, 2)]);
    await flush();
    fake.emit('market.bar', bar('AAPL', T0 + 3 * MIN, 4));
    expect(sink.log).toEqual(['show AAPL', 'set 2', 'bar AAPL 3', 'bar AAPL 4']);
  });

  it('when the symbol changes before the history arrives then the old answer is dropped', async () => {
    const fake = createFakeApi();
    const sink = recorder();
    const history = deferredBars();
    const stop = streamBars({ api: fake.api, sink, symbol: 'AAPL', loadBars: history.load });
    stop();
    history.resolve([bar('AAPL', T0, 1)]);
    fake.emit('market.bar', bar('AAPL', T0 + MIN, 2));
    await flush();
    expect(sink.log).toEqual(['show AAPL']);
    expect(fake.listenerCount('market.bar')).toBe(0);
  });

  it('when the history request fails then the chart is emptied and live bars still flow', async () => {
    const fake = createFakeApi();
    const sink = recorder();
    streamBars({ api: fake.api, sink, symbol: 'AAPL', loadBars: () => Promise.resolve(null) });
    await flush();
    fake.emit('market.bar', bar('AAPL', T0, 1));
    expect(sink.log).toEqual(['show AAPL', 'set 0', 'bar AAPL 1']);
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
    });
    expect(sink.log).toEqual(['show -']);
    expect(requested).toBe(false);
    expect(fake.listenerCount('market.bar')).toBe(0);
  });
});
