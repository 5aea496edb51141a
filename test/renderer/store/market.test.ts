// The market store: watchlist snapshots, quote ticks and the trader's selection.
import { describe, expect, it } from 'vitest';
import { marketSelectors } from '../../../src/renderer/store/market/selectors';
import { createMarketStore } from '../../../src/renderer/store/market/store';
import { quote, T0 } from '../fakes';

describe('market store', () => {
  it('when the watchlist arrives then its symbols are listed in order and the first is selected', () => {
    const market = createMarketStore();
    market.getState().watchlistReceived({ symbols: ['MSFT', 'AAPL'], quotes: [quote('AAPL', 101, T0)] });
    const s = market.getState();
    expect(marketSelectors.symbols(s)).toEqual(['MSFT', 'AAPL']);
    expect(marketSelectors.selected(s)).toBe('MSFT');
    expect(marketSelectors.quoteOf('AAPL')(s)?.last).toBe(101);
  });

  it('when the watchlist is re-sent after a reconnect then the selection and the symbol list reference stay', () => {
    const market = createMarketStore();
    market.getState().watchlistReceived({ symbols: ['AAPL', 'MSFT'], quotes: [] });
    market.getState().symbolSelected('MSFT');
    const before = market.getState().symbols;
    market.getState().watchlistReceived({ symbols: ['AAPL', 'MSFT'], quotes: [] });
    expect(market.getState().symbols).toBe(before);
    expect(market.getState().selected).toBe('MSFT');
  });

  it('when the selected symbol leaves the watchlist then the first remaining symbol is selected', () => {
    const market = createMarketStore();
    market.getState().watchlistReceived({ symbols: ['AAPL', 'MSFT'], quotes: [] });
    market.getState().symbolSelected('MSFT');
    market.getState().watchlistReceived({ symbols: ['AAPL', 'NVDA'], quotes: [] });
    expect(market.getState().selected).toBe('AAPL');
  });

  it('when a quote ticks then only that quote changes and the list and selection keep their references', () => {
    const market = createMarketStore();
    market.getState().watchlistReceived({ symbols: ['AAPL', 'MSFT'], quotes: [quote('MSFT', 99, T0)] });
    const { symbols, selected, quotes } = market.getState();
    market.getState().quoteReceived(quote('AAPL', 102.5, T0 + 60_000));
    const s = market.getState();
    expect(s.symbols).toBe(symbols);
    expect(s.selected).toBe(selected);
    expect(s.quotes.MSFT).toBe(quotes.MSFT);
    expect(s.quotes.AAPL?.last).toBe(102.5);
  });

  it('when an older quote arrives after a newer one then the newer price stays', () => {
    const market = createMarketStore();
    market.getState().quoteReceived(quote('AAPL', 105, T0 + 120_000));
    market.getState().watchlistReceived({ symbols: ['AAPL'], quotes: [quote('AAPL', 101, T0)] });
    market.getState().quoteReceived(quote('AAPL', 103, T0 + 60_000));
    expect(market.getState().quotes.AAPL?.last).toBe(105);
  });

  it('when a forming bar is corrected then the quote with the same time replaces the previous one', () => {
    const market = createMarketStore();
    market.getState().quoteReceived(quote('AAPL', 105, T0));
    market.getState().quoteReceived(quote('AAPL', 104.9, T0));
    expect(market.getState().quotes.AAPL?.last).toBe(104.9);
  });

  it('when the trader presses down and up then the selection walks the watchlist and stops at the ends', () => {
    const market = createMarketStore();
    market.getState().watchlistReceived({ symbols: ['AAPL', 'MSFT', 'NVDA'], quotes: [] });
    const moves: string[] = [];
    for (const step of [1, 1, 1, -1, -1, -1] as const) {
      market.getState().selectionMoved(step);
      moves.push(market.getState().selected ?? '');
    }
    expect(moves).toEqual(['MSFT', 'NVDA', 'NVDA', 'MSFT', 'AAPL', 'AAPL']);
  });

  it('when the same symbol is selected again then no change is published', () => {
    const market = createMarketStore();
    market.getState().watchlistReceived({ symbols: ['AAPL'], quotes: [] });
    let published = 0;
    market.subscribe(() => published++);
    market.getState().symbolSelected('AAPL');
    expect(published).toBe(0);
  });

  it('when two stores are created then they share no state', () => {
    const a = createMarketStore();
    const b = createMarketStore();
    a.getState().watchlistReceived({ symbols: ['AAPL'], quotes: [] });
    expect(b.getState().symbols).toEqual([]);
  });
});
