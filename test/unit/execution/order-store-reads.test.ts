// The order store keeps its reads between writes (every bar asks for the working orders and plans):
// a write shows at once in every read, and what a caller does to an answer never changes the next one.
import { describe, expect, it } from 'vitest';
import type { Fill, Order } from '../../../src/shared/domain';
import { OrderStore } from '../../../src/main/execution/order-store';
import { openDatabase } from '../../../src/main/store/database';

const T = Date.UTC(2025, 2, 3, 15, 0);
const entry = (id: string): Order => ({
  clientOrderId: id, brokerOrderId: '', symbol: 'SPY', side: 'buy', qty: 10, type: 'market', timeInForce: 'day', intent: 'entry',
  reason: 'test', status: 'new', filledQty: 0, avgFillPrice: null, submittedAt: T, updatedAt: T, note: '', signalId: `sig-${id}`,
});

describe('order store reads between writes', () => {
  it('a submit, an accept and a fill each show at once in openOrders, get, plans and positions', () => {
    const db = openDatabase(':memory:');
    const store = new OrderStore(db);
    expect(store.openOrders()).toEqual([]);
    store.recordSubmitted(entry('a'), { stopPrice: 99, targetPrice: 102, capitalAtRisk: 10, tradingDay: '2025-03-03' });
    expect(store.openOrders().map((o) => [o.clientOrderId, o.status, o.signalId])).toEqual([['a', 'new', 'sig-a']]);
    expect(store.plans({ symbol: 'SPY' }).map((p) => [p.clientOrderId, p.order.status])).toEqual([['a', 'new']]);
    expect(store.applyEvent({ type: 'accepted', order: { ...store.get('a')!, brokerOrderId: 'b-a', status: 'accepted', updatedAt: T + 1 } }).ok).toBe(true);
    expect(store.get('a')!.status).toBe('accepted');
    expect(store.plans({ symbol: 'SPY' })[0]!.order.status).toBe('accepted');
    const fill: Fill = { clientOrderId: 'a', brokerOrderId: 'b-a', symbol: 'SPY', side: 'buy', qty: 10, price: 100, fees: 0, time: T + 60_000, executionId: 'x-a' };
    expect(store.applyEvent({ type: 'fill', order: store.get('a')!, fill }).ok).toBe(true);
    expect(store.openOrders()).toEqual([]);
    expect(store.get('a')).toMatchObject({ status: 'filled', filledQty: 10, avgFillPrice: 100 });
    expect(store.plans({ clientOrderId: 'a' })[0]!.order.status).toBe('filled');
    expect(store.positions()).toEqual([{ symbol: 'SPY', qty: 10, avgEntryPrice: 100 }]);
    db.close();
  });

  it('an answer changed by its caller does not change the next answer', () => {
    const db = openDatabase(':memory:');
    const store = new OrderStore(db);
    store.recordSubmitted({ ...entry('b'), type: 'limit', limitPrice: 100, bracket: { takeProfit: 103, stopLoss: 98 } });
    const first = store.openOrders()[0]!;
    first.qty = 999;
    first.bracket!.stopLoss = 1;
    const byId = store.get('b')!;
    byId.status = 'filled';
    expect(store.openOrders()[0]).toMatchObject({ qty: 10, status: 'new', bracket: { takeProfit: 103, stopLoss: 98 } });
    expect(store.get('b')!.status).toBe('new');
    db.close();
  });
});
