// The market store: watchlist answers, quote events and the trader's symbol selection.
// A quote event replaces only its own entry, so `symbols` and `selected` keep their references and
// components subscribed to them do not re-render on ticks.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Quote } from '../../../shared/domain';
import { initialMarketState, type MarketState } from './initialState';

export interface WatchlistSnapshot {
  symbols: readonly string[];
  quotes: readonly Quote[];
}

export interface MarketActions {
  watchlistReceived(snapshot: WatchlistSnapshot): void;
  quoteReceived(quote: Quote): void;
  symbolSelected(symbol: string): void;
  /** Moves the selection up (-1) or down (+1) the watchlist, stopping at either end. */
  selectionMoved(step: -1 | 1): void;
}

export type MarketStore = MarketState & MarketActions;
export type MarketStoreApi = StoreApi<MarketStore>;

/** A snapshot answer can arrive after a newer quote event; the quote with the later time wins. */
function isNewer(current: Quote | undefined, next: Quote): boolean {
  return current === undefined || next.time >= current.time;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

export function createMarketStore(initial: Partial<MarketState> = {}): MarketStoreApi {
  return createStore<MarketStore>()((set) => ({
    ...initialMarketState,
    ...initial,
    watchlistReceived: (snapshot) =>
      set((s) => {
        const quotes: Record<string, Quote> = { ...s.quotes };
        for (const q of snapshot.quotes) if (isNewer(quotes[q.symbol], q)) quotes[q.symbol] = q;
        // Keep the old array when nothing changed (a reconnect re-sends the same list): no re-render.
        const symbols = sameList(s.symbols, snapshot.symbols) ? s.symbols : [...snapshot.symbols];
        const selected =
          s.selected !== null && symbols.includes(s.selected) ? s.selected : (symbols[0] ?? s.selected);
        return { symbols, quotes, selected };
      }),
    quoteReceived: (quote) =>
      set((s) => (isNewer(s.quotes[quote.symbol], quote) ? { quotes: { ...s.quotes, [quote.symbol]: quote } } : s)),
    // Any symbol may be selected, not only watchlist members: later panels (search, signals) select too.
    symbolSelected: (symbol) => set((s) => (s.selected === symbol ? s : { selected: symbol })),
    selectionMoved: (step) =>
      set((s) => {
        if (s.symbols.length === 0) return s;
        const at = s.selected === null ? -1 : s.symbols.indexOf(s.selected);
        const next = at < 0 ? 0 : Math.min(s.symbols.length - 1, Math.max(0, at + step));
        const symbol = s.symbols[next] ?? null;
        return symbol === s.selected ? s : { selected: symbol };
      }),
  }));
}
