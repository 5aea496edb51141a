// The focus list's inputs on a session's morning, and the build itself: daily bars from the store (the
// feature engine's daily history when the store holds fewer), the cache's last price (the prior close
// or the latest pre-market print), no daily-model score yet (the momentum fallback ranks). The built
// list is stored and published on `signals.focus`.
import type { NyseCalendar } from '../calendar/nyse';
import { nyDateKey } from '../calendar/ny-time';
import type { BarCache } from '../data/bar-cache';
import type { Clock } from '../engine/clock';
import type { EngineBus } from '../engine/topics';
import type { DailyBar } from '../features/streaming';
import type { Logger } from '../logging/logger';
import type { HistoryStore } from '../store/history-store';
import { buildFocusList, toStored, type FocusCandidate, type FocusListStore } from './focus-list';

export interface FocusUniverseParts {
  bus: EngineBus;
  clock: Clock;
  calendar: NyseCalendar;
  store: HistoryStore;
  cache: BarCache;
  /** The daily bars the feature engine has streamed for a symbol before a date. */
  streamedDaily: (symbol: string, date: string) => readonly DailyBar[];
  focusStore: FocusListStore;
  watchlist: readonly string[];
  log: Logger;
}

/** The watchlist as focus candidates for `date`, from what is known before its open. */
export function focusUniverse(parts: FocusUniverseParts, date: string): FocusCandidate[] {
  const { clock, calendar, store, cache } = parts;
  const before = calendar.session(date)?.preOpen ?? clock.now();
  return parts.watchlist.map((symbol) => {
    const stored = store
      .loadBars(symbol, '1d', 0, before)
      .map((b) => ({ date: nyDateKey(b.start), open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }))
      .filter((d) => d.date < date);
    const streamed = parts.streamedDaily(symbol, date);
    const days = stored.length >= Math.min(20, streamed.length) ? stored : streamed;
    const quote = cache.quote(symbol);
    const last = cache.lastBar(symbol);
    const lastPrice = quote && quote.time <= clock.now() ? quote.last : last && last.start <= clock.now() ? last.close : null;
    return { symbol, days, lastPrice, modelScore: null };
  });
}

/** Builds, stores and publishes the focus list of `date`. */
export function buildSessionFocusList(parts: FocusUniverseParts, date: string): void {
  const list = toStored(buildFocusList({ date, universe: focusUniverse(parts, date) }), parts.clock.now());
  parts.focusStore.save(list);
  parts.log.info('focus list built', { date, picks: list.picks.map((p) => p.symbol).join(','), rejected: list.rejected.length });
  parts.bus.publish('signals.focus', list);
}
