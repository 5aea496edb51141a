import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../../src/shared/domain';
import { BarCache } from '../../../../src/main/data/bar-cache';
import type { MarketFeed } from '../../../../src/main/data/feed';
import { SimulatedClock } from '../../../../src/main/engine/clock';
import { RefusalError } from '../../../../src/main/ipc/dispatcher';
import { marketHandlers, type MarketHandlerDeps } from '../../../../src/main/app/handlers/market';

const OPEN = Date.UTC(2025, 2, 3, 14, 30);
const bar = (symbol: string, i: number, close: number): Bar => ({ symbol, timeframe: '1m', start: OPEN + i * 60_000, open: close, high: close + 0.1, low: close - 0.1, close, volume: 1_000 });

/** A real-time feed: nothing to pause or speed up. */
const liveFeed: MarketFeed = { id: 'live', label: 'Vendor stream', simulated: false, start: async () => {}, stop: async () => {} };

function handlers(over: Partial<MarketHandlerDeps> = {}) {
  const cache = new BarCache();
  for (let i = 0; i < 5; i++) cache.add(bar('SPY', i, 500 + i));
  cache.add(bar('AAPL', 0, 200));
  const deps: MarketHandlerDeps = {
    config: { watchlist: ['SPY', 'AAPL'], feed: 'synthetic', alpaca: null, polygon: null },
    cache,
    features: { overlayHistory: () => [] },
    storedSymbols: () => [],
    feed: liveFeed,
    clock: new SimulatedClock(OPEN),
    ...over,
  };
  return marketHandlers(deps);
}

const refusal = (fn: () => unknown): RefusalError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof RefusalError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('market handlers', () => {
  it('when the chart asks for the last bars of a watched symbol then they come from the cache, newest last', () => {
    const r = handlers()['market.bars']({ symbol: 'SPY', limit: 3 });
    expect(r).toEqual({ symbol: 'SPY', bars: [bar('SPY', 2, 502), bar('SPY', 3, 503), bar('SPY', 4, 504)] });
  });

  it('when a symbol is not in the watchlist then market.bars is a BAD_REQUEST naming the watchlist', () => {
    const e = refusal(() => handlers()['market.bars']({ symbol: 'TSLA', limit: 3 }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toContain('SPY, AAPL');
  });

  it('the watchlist answers each symbol with its last quote', () => {
    const r = handlers()['market.watchlist']({}) as { symbols: string[]; quotes: Array<{ symbol: string; last: number }> };
    expect(r.symbols).toEqual(['SPY', 'AAPL']);
    expect(r.quotes.map((q) => [q.symbol, q.last])).toEqual([['SPY', 504], ['AAPL', 200]]);
  });

  it('when the feed runs in real time then pausing it is refused, and a replay is offered only with stored history', () => {
    const h = handlers();
    expect(refusal(() => h['feed.pause']({})).code).toBe('REFUSED');
    expect(refusal(() => h['feed.seek']({ date: '2025-03-04' })).code).toBe('REFUSED');
    const feeds = h['market.feeds']({}) as Array<{ id: string; available: boolean }>;
    expect(feeds.find((f) => f.id === 'replay')).toMatchObject({ available: false });
    const stored = handlers({ storedSymbols: () => ['SPY'] })['market.feeds']({}) as Array<{ id: string; available: boolean; reason: string }>;
    expect(stored.find((f) => f.id === 'replay')).toMatchObject({ available: true, reason: 'stored: SPY' });
  });
});
