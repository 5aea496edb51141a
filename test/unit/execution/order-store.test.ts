// The order lifecycle and the persisted order book: illegal or replayed events change nothing, a fill
// counts once, positions come from fills, and a reopened database gives back the same book.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transition } from '../../../src/main/execution/order-state';
import { OrderStore, positionsFromFills } from '../../../src/main/execution/order-store';
import type { Fill, Order, OrderEvent } from '../../../src/main/execution/types';
import { openDatabase, type Db } from '../../../src/main/store/database';

const T0 = Date.UTC(2025, 2, 3, 15, 0); // 10:00 New York, 2025-03-03

function order(id: string, over: Partial<Order> = {}): Order {
  return {
    clientOrderId: id,
    brokerOrderId: '',
    symbol: 'SPY',
    side: 'buy',
    qty: 100,
    type: 'limit',
    timeInForce: 'day',
    limitPrice: 500,
    intent: 'entry',
    reason: 'signal s-1',
    status: 'new',
    filledQty: 0,
    avgFillPrice: null,
    submittedAt: T0,
    updatedAt: T0,
    note: '',
    ...over,
  };
}

const accepted = (o: Order, brokerOrderId = `b-${o.clientOrderId}`): OrderEvent => ({ type: 'accepted', order: { ...o, brokerOrderId, status: 'accepted', updatedAt: o.updatedAt + 1 } });
const fillOf = (o: Order, executionId: string, qty: number, price: number, time = T0 + 1000): OrderEvent => {
  const fill: Fill = { clientOrderId: o.clientOrderId, brokerOrderId: o.brokerOrderId, symbol: o.symbol, side: o.side, qty, price, fees: 0.01, time, executionId };
  return { type: 'fill', order: o, fill };
};
const ended = (o: Order, type: 'canceled' | 'rejected' | 'expired', note = ''): OrderEvent => ({ type, order: { ...o, status: type, note } });

function memoryStore(): { db: Db; store: OrderStore } {
  const db = openDatabase(':memory:');
  return { db, store: new OrderStore(db) };
}

function snapshot(db: Db): unknown {
  return {
    orders: db.prepare('SELECT * FROM orders ORDER BY client_order_id').all(),
    fills: db.prepare('SELECT * FROM fills ORDER BY execution_id').all(),
    events: db.prepare('SELECT * FROM order_events ORDER BY id').all(),
  };
}

describe('order state machine', () => {
  it('when an order is accepted, partly filled then filled then it ends filled at the average price', () => {
    let o = order('a');
    const steps: OrderEvent[] = [accepted(o), fillOf(o, 'x1', 40, 500), fillOf(o, 'x2', 60, 501)];
    for (const e of steps) {
      const r = transition(o, e);
      expect(r.ok).toBe(true);
      if (r.ok) o = r.order;
    }
    expect(o.status).toBe('filled');
    expect(o.filledQty).toBe(100);
    expect(o.avgFillPrice).toBeCloseTo((40 * 500 + 60 * 501) / 100, 9);
    expect(o.brokerOrderId).toBe('b-a');
  });

  it('when events arrive out of order or after the end then each is refused with its code', () => {
    const fresh = order('a');
    expect(transition(fresh, fillOf(fresh, 'x1', 10, 500))).toMatchObject({ ok: false, code: 'out_of_order' });
    expect(transition(fresh, ended(fresh, 'canceled'))).toMatchObject({ ok: false, code: 'out_of_order' });
    expect(transition(fresh, ended(fresh, 'expired'))).toMatchObject({ ok: false, code: 'out_of_order' });
    const acc = { ...fresh, status: 'accepted' as const };
    expect(transition(acc, accepted(acc))).toMatchObject({ ok: false, code: 'duplicate_event' });
    const part = { ...acc, status: 'partially_filled' as const, filledQty: 10, avgFillPrice: 500 };
    expect(transition(part, accepted(part))).toMatchObject({ ok: false, code: 'out_of_order' });
    expect(transition(part, ended(part, 'rejected'))).toMatchObject({ ok: false, code: 'out_of_order' });
    expect(transition(part, fillOf(part, 'x9', 91, 500))).toMatchObject({ ok: false, code: 'overfill' });
    const done = { ...part, status: 'filled' as const, filledQty: 100 };
    expect(transition(done, fillOf(done, 'x9', 1, 500))).toMatchObject({ ok: false, code: 'terminal' });
    expect(transition(done, ended(done, 'canceled'))).toMatchObject({ ok: false, code: 'terminal' });
    for (const s of ['canceled', 'rejected', 'expired'] as const) {
      const end = { ...acc, status: s };
      expect(transition(end, accepted(end))).toMatchObject({ ok: false, code: 'terminal' });
    }
  });

  it('when a fill repeats an execution id or does not belong then it is refused and never throws', () => {
    const acc = order('a', { status: 'accepted' });
    expect(transition(acc, fillOf(acc, 'x1', 10, 500), (id) => id === 'x1')).toMatchObject({ ok: false, code: 'duplicate_execution' });
    const wrongSide = fillOf(acc, 'x2', 10, 500);
    if (wrongSide.type === 'fill') wrongSide.fill.side = 'sell';
    expect(transition(acc, wrongSide)).toMatchObject({ ok: false, code: 'mismatch' });
    expect(transition(acc, fillOf(acc, 'x3', 1.5, 500))).toMatchObject({ ok: false, code: 'invalid_fill' });
    expect(transition(acc, fillOf(acc, 'x4', 10, Number.NaN))).toMatchObject({ ok: false, code: 'invalid_fill' });
    expect(transition(acc, accepted(order('other')))).toMatchObject({ ok: false, code: 'mismatch' });
  });

  it('when a cancel arrives then the broker note is kept', () => {
    const acc = order('a', { status: 'accepted' });
    const r = transition(acc, ended(acc, 'canceled', 'canceled by trader'));
    expect(r).toMatchObject({ ok: true, to: 'canceled', order: { status: 'canceled', note: 'canceled by trader' } });
  });
});

describe('positions from fills', () => {
  it('when a position grows, shrinks, flips and closes then qty is signed and the entry price follows', () => {
    const f = (side: 'buy' | 'sell', qty: number, price: number) => ({ symbol: 'AAPL', side, qty, price });
    expect(positionsFromFills([f('buy', 100, 10), f('buy', 100, 12)])).toEqual([{ symbol: 'AAPL', qty: 200, avgEntryPrice: 11 }]);
    expect(positionsFromFills([f('buy', 100, 10), f('sell', 40, 15)])).toEqual([{ symbol: 'AAPL', qty: 60, avgEntryPrice: 10 }]);
    expect(positionsFromFills([f('buy', 100, 10), f('sell', 150, 15)])).toEqual([{ symbol: 'AAPL', qty: -50, avgEntryPrice: 15 }]);
    expect(positionsFromFills([f('sell', 50, 20), f('sell', 50, 22)])).toEqual([{ symbol: 'AAPL', qty: -100, avgEntryPrice: 21 }]);
    expect(positionsFromFills([f('buy', 100, 10), f('sell', 100, 15)])).toEqual([]);
  });
});

describe('OrderStore', () => {
  it('when the same order is submitted twice then one row exists and the resend returns it unchanged', () => {
    const { db, store } = memoryStore();
    const first = store.recordSubmitted(order('a'));
    expect(first.created).toBe(true);
    const again = store.recordSubmitted(order('a', { qty: 999, reason: 'resend' }));
    expect(again.created).toBe(false);
    expect(again.order).toEqual(first.order);
    expect(again.order.qty).toBe(100);
    expect((db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n).toBe(1);
    expect(store.events('a')).toHaveLength(1);
  });

  it('when an order is handed in already filled then it is recorded unfilled and its fills must come as events', () => {
    const { store } = memoryStore();
    const r = store.recordSubmitted(order('a', { status: 'filled', filledQty: 100, avgFillPrice: 500 }));
    expect(r.order).toMatchObject({ status: 'accepted', filledQty: 0, avgFillPrice: null });
    expect(store.applyEvent(fillOf(r.order, 'x1', 100, 500))).toMatchObject({ ok: true, to: 'filled' });
    expect(store.positions()).toEqual([{ symbol: 'SPY', qty: 100, avgEntryPrice: 500 }]);
  });

  it('when a fill is applied then the order, the fill and the audit row commit together', () => {
    const { store } = memoryStore();
    const o = store.recordSubmitted(order('a')).order;
    expect(store.applyEvent(accepted(o)).ok).toBe(true);
    const r = store.applyEvent(fillOf(store.get('a')!, 'x1', 30, 500.5));
    expect(r).toMatchObject({ ok: true, from: 'accepted', to: 'partially_filled' });
    expect(store.get('a')).toMatchObject({ status: 'partially_filled', filledQty: 30, avgFillPrice: 500.5, brokerOrderId: 'b-a' });
    expect(store.fills('a')).toEqual([expect.objectContaining({ executionId: 'x1', qty: 30, price: 500.5, brokerOrderId: 'b-a' })]);
    expect(store.events('a').map((e) => [e.from, e.to])).toEqual([
      [null, 'new'],
      ['new', 'accepted'],
      ['accepted', 'partially_filled'],
    ]);
  });

  it('when the same execution arrives twice then it is applied once and the second changes nothing', () => {
    const { db, store } = memoryStore();
    const o = store.recordSubmitted(order('a')).order;
    store.applyEvent(accepted(o));
    const dup = fillOf(store.get('a')!, 'x1', 30, 500);
    expect(store.applyEvent(dup).ok).toBe(true);
    const before = snapshot(db);
    expect(store.applyEvent(dup)).toMatchObject({ ok: false, code: 'duplicate_execution' });
    // Even carrying a stale copy of the order, or after the order is filled.
    store.applyEvent(fillOf(store.get('a')!, 'x2', 70, 501));
    const afterFill = snapshot(db);
    expect(store.applyEvent(dup)).toMatchObject({ ok: false, code: 'duplicate_execution' });
    expect(snapshot(db)).toEqual(afterFill);
    expect(before).not.toEqual(afterFill);
    expect(store.get('a')).toMatchObject({ status: 'filled', filledQty: 100 });
    expect(store.positions()).toEqual([{ symbol: 'SPY', qty: 100, avgEntryPrice: 500.7 }]);
  });

  it('when events are illegal, out of order or for an unknown order then nothing changes', () => {
    const { db, store } = memoryStore();
    const o = store.recordSubmitted(order('a')).order;
    const before = snapshot(db);
    expect(store.applyEvent(fillOf(o, 'x1', 10, 500))).toMatchObject({ ok: false, code: 'out_of_order' });
    expect(store.applyEvent(ended(o, 'expired'))).toMatchObject({ ok: false, code: 'out_of_order' });
    expect(store.applyEvent(accepted(order('ghost')))).toMatchObject({ ok: false, code: 'unknown_order' });
    expect(snapshot(db)).toEqual(before);
    store.applyEvent(accepted(o));
    store.applyEvent(ended(store.get('a')!, 'canceled', 'by trader'));
    const canceled = snapshot(db);
    expect(store.applyEvent(fillOf(store.get('a')!, 'x2', 10, 500))).toMatchObject({ ok: false, code: 'terminal' });
    expect(store.applyEvent(accepted(store.get('a')!))).toMatchObject({ ok: false, code: 'terminal' });
    expect(store.applyEvent(fillOf(store.get('a')!, 'x3', 101, 500))).toMatchObject({ ok: false });
    expect(snapshot(db)).toEqual(canceled);
    expect(store.openOrders()).toEqual([]);
  });

  it('when the database is closed and reopened then rebuild gives the same open orders and positions', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orders-')), 'history.sqlite');
    const db = openDatabase(path);
    const store = new OrderStore(db);
    const entries = [
      order('spy-1', { symbol: 'SPY', qty: 100 }),
      order('aapl-1', { symbol: 'AAPL', qty: 50, submittedAt: T0 + 5, updatedAt: T0 + 5, bracket: { takeProfit: 200, stopLoss: 180 } }),
      order('aapl-2', { symbol: 'AAPL', side: 'sell', qty: 20, type: 'stop', limitPrice: undefined, stopPrice: 185, submittedAt: T0 + 9, updatedAt: T0 + 9 }),
      order('qqq-1', { symbol: 'QQQ', qty: 10, submittedAt: T0 + 12, updatedAt: T0 + 12 }),
    ];
    for (const e of entries) store.applyEvent(accepted(store.recordSubmitted(e).order));
    store.applyEvent(fillOf(store.get('spy-1')!, 'e1', 100, 500));
    store.applyEvent(fillOf(store.get('aapl-1')!, 'e2', 30, 190));
    store.applyEvent(fillOf(store.get('aapl-2')!, 'e3', 20, 186, T0 + 2000));
    store.applyEvent(ended(store.get('qqq-1')!, 'canceled'));
    const book = store.rebuild();
    expect(book.openOrders.map((o) => o.clientOrderId)).toEqual(['aapl-1']);
    expect(book.positions).toEqual([
      { symbol: 'AAPL', qty: 10, avgEntryPrice: 190 },
      { symbol: 'SPY', qty: 100, avgEntryPrice: 500 },
    ]);
    db.close();

    const reopened = openDatabase(path);
    const again = new OrderStore(reopened);
    expect(again.rebuild()).toEqual(book);
    expect(again.get('aapl-1')?.bracket).toEqual({ takeProfit: 200, stopLoss: 180 });
    expect(again.get('aapl-2')).toMatchObject({ type: 'stop', stopPrice: 185, status: 'filled' });
    expect(again.get('aapl-2')?.limitPrice).toBeUndefined();
    // The executions applied before the restart are still known: a replay after it counts nothing.
    expect(again.applyEvent(fillOf(again.get('aapl-1')!, 'e2', 30, 190))).toMatchObject({ ok: false, code: 'duplicate_execution' });
    expect(again.recordSubmitted(entries[0]!).created).toBe(false);
    expect(again.rebuild()).toEqual(book);
    reopened.close();
  });
});
