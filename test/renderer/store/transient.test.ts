// Transient subscriptions: the way ticks reach the DOM without React renders.
import { describe, expect, it } from 'vitest';
import { createMarketStore } from '../../../src/renderer/store/market/store';
import { marketSelectors } from '../../../src/renderer/store/market/selectors';
import { subscribeSlice } from '../../../src/renderer/store/transient';
import { quote, T0 } from '../fakes';

describe('subscribeSlice', () => {
  it('when other symbols tick then a row following AAPL hears only AAPL changes', () => {
    const market = createMarketStore();
    const seen: Array<number | undefined> = [];
    const stop = subscribeSlice(market, marketSelectors.quoteOf('AAPL'), (q) => seen.push(q?.last));
    market.getState().quoteReceived(quote('MSFT', 99, T0));
    market.getState().quoteReceived(quote('AAPL', 101, T0));
    market.getState().symbolSelected('MSFT');
    market.getState().quoteReceived(quote('AAPL', 102, T0 + 60_000));
    stop();
    market.getState().quoteReceived(quote('AAPL', 103, T0 + 120_000));
    expect(seen).toEqual([undefined, 101, 102]);
  });

  it('when asked not to fire immediately then the current value is not delivered', () => {
    const market = createMarketStore();
    const seen: unknown[] = [];
    subscribeSlice(market, marketSelectors.selected, (s) => seen.push(s), { fireImmediately: false });
    market.getState().symbolSelected('AAPL');
    expect(seen).toEqual(['AAPL']);
  });
});
