// The feed and the clock a configuration asks for: a replay of stored history or the synthetic
// market on a simulated clock, or a vendor's stream (Alpaca, Polygon) on the live clock.
import type { Bar } from '../../shared/domain';
import type { NyseCalendar } from '../calendar/nyse';
import type { EngineConfig } from '../config/config';
import type { MarketFeed } from '../data/feed';
import { ReplayFeed, replayStart } from '../data/replay-feed';
import { AlpacaStreamFeed } from '../data/vendors/alpaca-stream';
import { PolygonStreamFeed } from '../data/vendors/polygon-stream';
import { latestSessionDate, SyntheticMarket } from '../data/synthetic-market';
import { LiveClock, SimulatedClock, type Clock } from '../engine/clock';
import type { Logger } from '../logging/logger';
import type { HistoryStore } from '../store/history-store';

export interface FeedChoice {
  feed: MarketFeed;
  clock: Clock;
  /** Bars known before the feed starts (chart context, prior closes). */
  history?: () => readonly Bar[];
}

export interface FeedDeps {
  /** Wall clock for choosing the first simulated session (tests pin it). */
  wallClock?: () => number;
  /** Replaces the feed the config asks for (tests, backtests). */
  feed?: FeedChoice | ((parts: { store: HistoryStore; calendar: NyseCalendar }) => FeedChoice);
  /** fetch for the vendors' REST calls (tests pass one that refuses anything but loopback). */
  fetch?: typeof fetch;
}

/** Chart context for a live feed: the stored bars of the last two sessions. */
function storedHistory(store: HistoryStore, symbols: readonly string[], now: number): Bar[] {
  const out: Bar[] = [];
  for (const symbol of symbols) {
    for (const b of store.loadBars(symbol, '1m', now - 4 * 86_400_000, now)) {
      if (b.part === 'regular') out.push({ symbol, timeframe: '1m', start: b.start, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

function lastStoredStarts(store: HistoryStore, symbols: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of symbols) {
    const r = store.range(s, '1m');
    if (r) out[s] = r.last;
  }
  return out;
}

export function buildFeed(config: EngineConfig, deps: FeedDeps, store: HistoryStore, calendar: NyseCalendar, log: Logger): FeedChoice {
  if (deps.feed) return typeof deps.feed === 'function' ? deps.feed({ store, calendar }) : deps.feed;
  switch (config.feed) {
    case 'replay': {
      const { from, to } = config.replay!;
      const clock = new SimulatedClock(replayStart(calendar, from));
      const feed = new ReplayFeed({ store, calendar, symbols: config.watchlist, from, to, clock, speed: config.sim.speed });
      return { feed, clock, history: () => feed.history() };
    }
    case 'synthetic': {
      const wall = deps.wallClock ?? Date.now;
      const startDate = config.sim.startDate ?? latestSessionDate(calendar, wall());
      const clock = new SimulatedClock(calendar.sessionOnOrAfter(startDate).open);
      const feed = new SyntheticMarket({ symbols: config.watchlist, seed: config.sim.seed, clock, speed: config.sim.speed, startDate, calendar, historySessions: 1 });
      return { feed, clock, history: () => feed.history() };
    }
    case 'alpaca': {
      const clock = new LiveClock();
      const feed = new AlpacaStreamFeed({
        keyId: config.alpaca!.keyId,
        secretKey: config.alpaca!.secretKey,
        feed: config.alpaca!.feed,
        symbols: config.watchlist,
        clock,
        calendar,
        log: log.child('alpaca'),
        resumeAfter: lastStoredStarts(store, config.watchlist),
        channels: { trades: false, quotes: true, statuses: true },
        ...(config.endpoints.alpacaData ? { streamUrl: config.endpoints.alpacaData } : {}),
        ...(config.endpoints.alpacaDataRest ? { restBaseUrl: config.endpoints.alpacaDataRest } : {}),
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      });
      return { feed, clock, history: () => storedHistory(store, config.watchlist, clock.now()) };
    }
    case 'polygon': {
      const clock = new LiveClock();
      const feed = new PolygonStreamFeed({
        apiKey: config.polygon!.apiKey,
        symbols: config.watchlist,
        clock,
        calendar,
        log: log.child('polygon'),
        resumeAfter: lastStoredStarts(store, config.watchlist),
        channels: { trades: false, quotes: true },
      });
      return { feed, clock, history: () => storedHistory(store, config.watchlist, clock.now()) };
    }
  }
}
