// The blotter store's fill times: when each order last filled, from the snapshot and from live updates.
import { describe, expect, it } from 'vitest';
import { blotterSelectors } from '../../../src/renderer/store/blotter/selectors';
import { createBlotterStore } from '../../../src/renderer/store/blotter/store';
import type { BlotterFill, BlotterOrder } from '../../../src/renderer/store/blotter/initialState';
import { T0 } from '../fakes';

const MIN = 60_000;

function order(id: string, extra: Partial<BlotterOrder> = {}): BlotterOrder {
  return {
    clientOrderId: id, brokerOrderId: '', symbol: 'AMD', side: 'buy', qty: 10, type: 'market', timeInForce: 'day',
    intent: 'entry', reason: 'test', status: 'new', filledQty: 0, avgFillPrice: null, submittedAt: T0, updatedAt: T0, note: '', ...extra,
  };
}

function fill(clientOrderId: string, time: number, qty = 10): BlotterFill {
  return { executionId: `x-${clientOrderId}-${time}`, clientOrderId, brokerOrderId: '', symbol: 'AMD', side: 'buy', qty, price: 100, fees: 0, time };
}

describe('blotter fill times', () => {
  it('when an order update shows the order filled then its fill time is the update time', () => {
    const b = createBlotterStore();
    b.getState().orderUpdated(order('a', { status: 'accepted' }));
    expect(blotterSelectors.fillTimeOf('a')(b.getState())).toBeUndefined();
    b.getState().orderUpdated(order('a', { status: 'filled', filledQty: 10, avgFillPrice: 100, updatedAt: T0 + MIN }));
    expect(blotterSelectors.fillTimeOf('a')(b.getState())).toBe(T0 + MIN);
  });

  it('when an update changes an order without filling more then the fill time stays and the object is kept', () => {
    const b = createBlotterStore();
    b.getState().orderUpdated(order('a', { status: 'partially_filled', filledQty: 4, avgFillPrice: 100, updatedAt: T0 + MIN }));
    const before = b.getState().fillAt;
    b.getState().orderUpdated(order('a', { status: 'canceled', filledQty: 4, avgFillPrice: 100, updatedAt: T0 + 5 * MIN }));
    expect(b.getState().fillAt).toBe(before);
    expect(blotterSelectors.fillTimeOf('a')(b.getState())).toBe(T0 + MIN);
  });

  it('when orders.list answers then fill times come from its fills, the latest per order', () => {
    const b = createBlotterStore();
    b.getState().ordersListed({
      orders: [order('a', { status: 'filled', filledQty: 10, avgFillPrice: 100, updatedAt: T0 + 9 * MIN })],
      positions: [],
      fills: [fill('a', T0 + MIN, 4), fill('a', T0 + 2 * MIN, 6)],
    });
    expect(blotterSelectors.fillTimeOf('a')(b.getState())).toBe(T0 + 2 * MIN);
  });

  it('when a filled order\'s fills are older than the snapshot keeps then its last update stands for the fill', () => {
    const b = createBlotterStore();
    b.getState().ordersListed({ orders: [order('old', { status: 'filled', filledQty: 10, avgFillPrice: 100, updatedAt: T0 + 3 * MIN })], positions: [], fills: [] });
    expect(blotterSelectors.fillTimeOf('old')(b.getState())).toBe(T0 + 3 * MIN);
  });

  it('when old finished orders drop out of the blotter then their fill times go with them', () => {
    const b = createBlotterStore({ capacity: 2 });
    for (let i = 0; i < 3; i++) {
      b.getState().orderUpdated(order(`o${i}`, { status: 'filled', filledQty: 10, avgFillPrice: 100, submittedAt: T0 + i * MIN, updatedAt: T0 + (i + 1) * MIN }));
    }
    expect(blotterSelectors.orderIds(b.getState())).toEqual(['o2', 'o1']);
    expect(Object.keys(b.getState().fillAt).sort()).toEqual(['o1', 'o2']);
  });
});
