// Whose an order is comes from the id scheme; what it is for never does.
import { describe, expect, it } from 'vitest';
import { adoptedIntent, isOwnOrderId } from '../../../src/main/execution/order-ids';

describe('order ids and adopted intent', () => {
  it('when an id was made by the engine then it is ours; a web or another tool id is not', () => {
    for (const id of ['entry-AAPL-1741012200000-ab12cd34', 'exit-stop-AAPL-again-1-x', 'flatten-SPY-1-abc', 'exit-MSFT-target-1-a1b2c3']) expect(isOwnOrderId(id), id).toBe(true);
    for (const id of ['web-1', 'ENTRY-AAPL-1', 'entry-', 'entry-AAPL 1', '', 'my-entry-AAPL-1']) expect(isOwnOrderId(id), id).toBe(false);
  });

  it('when an adopted order would open or add to a position then it is an entry, whatever its type', () => {
    expect(adoptedIntent({ side: 'buy', type: 'limit' }, 0)).toEqual({ intent: 'entry' });
    expect(adoptedIntent({ side: 'sell', type: 'market' }, 0)).toEqual({ intent: 'entry' });
    expect(adoptedIntent({ side: 'buy', type: 'stop' }, 10)).toEqual({ intent: 'entry' });
    expect(adoptedIntent({ side: 'sell', type: 'limit' }, -5)).toEqual({ intent: 'entry' });
  });

  it('when an adopted stop works against the held position then it is that position\'s protective stop', () => {
    expect(adoptedIntent({ side: 'sell', type: 'stop' }, 10)).toEqual({ intent: 'protective-stop', exitRule: 'hardStop' });
    expect(adoptedIntent({ side: 'buy', type: 'stop_limit' }, -3)).toEqual({ intent: 'protective-stop', exitRule: 'hardStop' });
  });

  it('when another adopted order works against the held position then it is an exit', () => {
    expect(adoptedIntent({ side: 'sell', type: 'market' }, 10)).toEqual({ intent: 'exit' });
    expect(adoptedIntent({ side: 'buy', type: 'limit' }, -2)).toEqual({ intent: 'exit' });
  });
});
