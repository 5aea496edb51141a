// The blotter store: the engine's orders and positions, loaded on connect and kept live by events.
import { describe, expect, it } from 'vitest';
import { blotterSelectors } from '../../../src/renderer/store/blotter/selectors';
import { createBlotterStore } from '../../../src/renderer/store/blotter/store';
import type { BlotterOrder } from '../../../src/renderer/store/blotter/initialState';
import { T0 } from '../fakes';

function order(id: string, extra: Partial<BlotterOrder> = {}): BlotterOrder {
  return {
    clientOrderId: id, brokerOrderId: '', symbol: 'AAPL', side: 'buy', qty: 10, type: 'market', timeInForce: 'day',
    intent: 'entry', reason: 'test', status: 'new', filledQty: 0, avgFillPrice: null, submittedAt: T0, updatedAt: T0, note: '', ...extra,
  };
}

describe('blotter store', () => {
  it('before the engine answers then nothing is loaded and no order or position is shown', () => {
    const b = createBlotterStore();
    expect(blotterSelectors.isLoaded(b.getState())).toBe(false);
    expect(blotterSelectors.orderIds(b.getState())).toEqual([]);
    expect(blotterSelectors.hasPositions(b.getState())).toBe(false);
  });

  it('when orders.list answers then orders are listed newest first with the positions', () => {
    const b = createBlotterStore();
    b.getState().ordersListed({
      orders: [order('a', { status: 'filled', filledQty: 10, avgFillPrice: 100 }), order('b', { submittedAt: T0 + 60_000, status: 'accepted' })],
      positions: [{ symbol: 'AAPL', qty: 10, avgEntryPrice: 100 }],
      fills: [],
    });
    expect(blotterSelectors.isLoaded(b.getState())).toBe(true);
    expect(blotterSelectors.orderIds(b.getState())).toEqual(['b', 'a']);
    expect(blotterSelectors.workingOrderCount(b.getState())).toBe(1);
    expect(blotterSelectors.positions(b.getState())).toEqual([{ symbol: 'AAPL', qty: 10, avgEntryPrice: 100 }]);
  });

  it('when an order fills then its row shows the fill, and a late accepted event does not reopen it', () => {
    const b = createBlotterStore();
    b.getState().orderUpdated(order('a'));
    b.getState().orderUpdated(order('a', { status: 'accepted', updatedAt: T0 + 1 }));
    b.getState().orderUpdated(order('a', { status: 'filled', filledQty: 10, avgFillPrice: 101.5, updatedAt: T0 + 60_000 }));
    b.getState().orderUpdated(order('a', { status: 'accepted', updatedAt: T0 + 1 }));
    expect(blotterSelectors.orderOf('a')(b.getState())).toMatchObject({ status: 'filled', filledQty: 10, avgFillPrice: 101.5 });
    expect(blotterSelectors.workingOrderCount(b.getState())).toBe(0);
  });

  it('when positions.update arrives then the positions are replaced (a flat book is empty)', () => {
    const b = createBlotterStore();
    b.getState().positionsUpdated({ positions: [{ symbol: 'SPY', qty: -5, avgEntryPrice: 500 }] });
    expect(blotterSelectors.hasPositions(b.getState())).toBe(true);
    b.getState().positionsUpdated({ positions: [] });
    expect(blotterSelectors.positions(b.getState())).toEqual([]);
  });

  it('when a snapshot arrives after a newer event then the newer order state is kept', () => {
    const b = createBlotterStore();
    b.getState().orderUpdated(order('a', { status: 'filled', filledQty: 10, updatedAt: T0 + 60_000 }));
    b.getState().ordersListed({ orders: [order('a', { status: 'accepted' })], positions: [], fills: [] });
    expect(blotterSelectors.orderOf('a')(b.getState())?.status).toBe('filled');
  });

  it('when more orders arrive than the blotter keeps then the oldest finished ones drop and working ones stay', () => {
    const b = createBlotterStore({ capacity: 2 });
    b.getState().orderUpdated(order('old-working', { status: 'accepted' }));
    b.getState().orderUpdated(order('done', { status: 'filled', filledQty: 10, submittedAt: T0 + 1 }));
    b.getState().orderUpdated(order('new', { status: 'accepted', submittedAt: T0 + 2 }));
    expect(blotterSelectors.orderIds(b.getState())).toEqual(['new', 'old-working']);
  });
});
