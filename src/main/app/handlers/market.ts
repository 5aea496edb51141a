// The market and feed channels: the watchlist's quotes and bars from the cache, the feature overlays,
// which feeds this configuration could use, and the pacing of a simulated feed.
import type { ResponseOf } from '../../../shared/contract';
import type { EngineConfig } from '../../config/config';
import type { BarCache } from '../../data/bar-cache';
import { isPaced, type MarketFeed } from '../../data/feed';
import { ReplayFeed } from '../../data/replay-feed';
import type { Clock } from '../../engine/clock';
import type { FeatureService } from '../../features/feature-service';
import { RefusalError } from '../../ipc/dispatcher';
import type { DomainHandlers } from './combine';
import { refusedBy } from './refusal';

type MarketChannel = 'market.watchlist' | 'market.bars' | 'market.overlays' | 'market.feeds' | 'feed.setSpeed' | 'feed.pause' | 'feed.resume' | 'feed.seek';

export interface MarketHandlerDeps {
  config: Pick<EngineConfig, 'watchlist' | 'feed' | 'alpaca' | 'polygon'>;
  cache: Pick<BarCache, 'quote' | 'bars'>;
  features: Pick<FeatureService, 'overlayHistory'>;
  /** The symbols with stored 1-minute history (a replay needs some). */
  storedSymbols: () => string[];
  feed: MarketFeed;
  clock: Clock;
}

/** Which feeds this configuration could use, and why not where it cannot. */
export function feedAvailability(config: MarketHandlerDeps['config'], stored: readonly string[]): ResponseOf<'market.feeds'> {
  return [
    { id: 'synthetic', label: 'Synthetic market (SIMULATED)', available: true, active: config.feed === 'synthetic', reason: 'always available, no network' },
    {
      id: 'replay',
      label: 'Replay of stored history (SIMULATED)',
      available: stored.length > 0,
      active: config.feed === 'replay',
      reason: stored.length > 0 ? `stored: ${stored.join(', ')}` : 'no history stored yet: import a file first (File → Import history…)',
    },
    {
      id: 'alpaca',
      label: `Alpaca market data (${config.alpaca?.feed.toUpperCase() ?? 'IEX'})`,
      available: config.alpaca !== null,
      active: config.feed === 'alpaca',
      reason: config.alpaca ? 'keys configured' : 'unavailable: no keys (set TRADING_ALPACA_KEY_ID and TRADING_ALPACA_SECRET_KEY)',
    },
    {
      id: 'polygon',
      label: 'Polygon/Massive stocks stream',
      available: config.polygon !== null,
      active: config.feed === 'polygon',
      reason: config.polygon ? 'key configured' : 'unavailable: no key (set TRADING_POLYGON_API_KEY)',
    },
  ];
}

export function marketHandlers(deps: MarketHandlerDeps): DomainHandlers<MarketChannel> {
  const { config, cache, feed } = deps;
  const paced = () => {
    if (!isPaced(feed)) throw new RefusalError('REFUSED', `${feed.label} runs in real time; it cannot be paused, sped up or moved`);
    return feed;
  };
  return {
    'market.watchlist': () => ({
      symbols: [...config.watchlist],
      quotes: config.watchlist.map((s) => cache.quote(s)).filter((q): q is NonNullable<typeof q> => q !== null),
    }),
    'market.bars': ({ symbol, limit }) => {
      if (!config.watchlist.includes(symbol)) {
        throw new RefusalError('BAD_REQUEST', `market.bars: ${symbol} is not in the watchlist (${config.watchlist.join(', ')})`);
      }
      return { symbol, bars: cache.bars(symbol, limit) };
    },
    'market.overlays': ({ symbol, limit }) => {
      if (!config.watchlist.includes(symbol)) throw new RefusalError('BAD_REQUEST', `market.overlays: ${symbol} is not in the watchlist`);
      return { symbol, points: deps.features.overlayHistory(symbol, limit) as ResponseOf<'market.overlays'>['points'] };
    },
    'market.feeds': () => feedAvailability(config, deps.storedSymbols()),
    'feed.setSpeed': ({ speed }) => {
      const f = paced();
      f.setSpeed(speed);
      return { speed: f.speed };
    },
    'feed.pause': () => {
      paced().pause();
      return { paused: true };
    },
    'feed.resume': () => {
      paced().resume();
      return { paused: false };
    },
    'feed.seek': ({ date }) => {
      if (!(feed instanceof ReplayFeed)) throw new RefusalError('REFUSED', `${feed.label} cannot seek; only a replay can`);
      try {
        feed.seek(date);
      } catch (error) {
        throw refusedBy(error);
      }
      return { now: deps.clock.now() };
    },
  };
}
