// The market slice's shape: the watchlist, the latest quote of each symbol and the selected symbol.
// Quotes live here so late subscribers can read the last value, but no component selects them for
// rendering: price cells follow them through transient subscriptions.
import type { Quote } from '../../../shared/domain';

export interface MarketState {
  /** The engine's watchlist, in its order. */
  symbols: readonly string[];
  /** Latest quote per symbol. */
  quotes: Readonly<Record<string, Quote>>;
  /** The symbol the chart shows; null until the watchlist is known. */
  selected: string | null;
}

export const initialMarketState: MarketState = {
  symbols: [],
  quotes: {},
  selected: null,
};
