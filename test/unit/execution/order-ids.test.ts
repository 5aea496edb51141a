// Whose an order is comes from the id scheme; what it is for never does.
import { describe, expect, it } from 'vitest';
import { adoptedIntent, isOwnOrderId, makeOrderId, MAX_ORDER_ID_LENGTH } from '../../../src/main/execution/order-ids';

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

  it('when the engine makes an id for the longest symbol then it stays within Alpaca\'s 48-character client_order_id limit, is ours and is unique', () => {
    const longest = 'ABCDEFGHIJKLMNO'; // sectors.ts: a ticker is up to 15 characters
    const now = Date.parse('2099-12-31T20:59:59.999Z');
    const ids = new Set<string>();
    for (const prefix of ['entry', 'exit', 'flatten', 'exit-stop'] as const) {
      for (const symbol of [longest, 'BRK/B', 'A', 'X'.repeat(40)]) {
        for (let i = 0; i < 500; i++) {
          const id = makeOrderId(prefix, symbol, now);
          expect(id.length, id).toBeLessThanOrEqual(MAX_ORDER_ID_LENGTH);
          expect(isOwnOrderId(id), id).toBe(true);
          ids.add(id);
        }
        const keyed = makeOrderId(prefix, symbol, now, `${'f'.repeat(36)}:${'9'.repeat(20)}`);
        expect(keyed.length, keyed).toBeLessThanOrEqual(MAX_ORDER_ID_LENGTH);
        expect(isOwnOrderId(keyed), keyed).toBe(true);
      }
    }
    expect(ids.size).toBe(4 * 4 * 500);
    expect(makeOrderId('entry', longest, now)).toContain(longest); // the whole ticker fits
  });

  it('when a protective stop id is made from a fill key then the same key makes the same id, another key another', () => {
    expect(makeOrderId('exit-stop', 'AAPL', 1, 'exec-1')).toBe(makeOrderId('exit-stop', 'AAPL', 2, 'exec-1'));
    expect(makeOrderId('exit-stop', 'AAPL', 1, 'exec-1')).not.toBe(makeOrderId('exit-stop', 'AAPL', 1, 'exec-2'));
  });
});
