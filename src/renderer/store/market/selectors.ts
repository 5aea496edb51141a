// Atomic selectors over the market slice. `quoteOf` is for transient subscriptions (DOM writes),
// not for React rendering: ticks must not re-render components.
import type { Quote } from '../../../shared/domain';
import type { MarketStore } from './store';

export const marketSelectors = {
  symbols: (s: MarketStore) => s.symbols,
  selected: (s: MarketStore) => s.selected,
  symbolCount: (s: MarketStore) => s.symbols.length,
  quoteOf:
    (symbol: string) =>
    (s: MarketStore): Quote | undefined =>
      s.quotes[symbol],
};
