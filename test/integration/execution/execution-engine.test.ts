// The execution engine inside a running engine on the synthetic market: an entry is sized, checked,
// stored and filled on the next bar; the stop, the end-of-day flatten and the kill switch close it;
// a denied entry names its check and leaves nothing behind.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../src/shared/contract';
import type { Order } from '../../../src/main/execution/types';
import { manualEngine, type ManualEngine } from '../../helpers/engine';

const WATCH = { TRADING_WATCHLIST: 'SPY,QQQ,AAPL' };
let current: ManualEngine | null = null;

async function started(): Promise<ManualEngine> {
  const m = manualEngine(WATCH);
  current = m;
  await m.engine.start();
  m.minutes(5); // a few streamed bars: fresh data, features warm
  return m;
}

const lastPrice = (m: ManualEngine, symbol: string): number => m.engine.cache.quote(symbol)!.last;
const heldQty = (m: ManualEngine, symbol: string): number => m.engine.orders.positions().find((p) => p.symbol === symbol)?.qty ?? 0;

afterEach(async () => {
  await current?.engine.stop();
  current = null;
});

describe('execution engine', () => {
  it('when an entry is submitted then it is stored, fills on the next bar, its hard stop is held at the broker and closes it', async () => {
    const m = await started();
    const updates: Array<EventPayload<'orders.update'>> = [];
    const positionUpdates: Array<EventPayload<'positions.update'>> = [];
    m.engine.bus.subscribe('orders.update', (o) => updates.push(o));
    m.engine.bus.subscribe('positions.update', (p) => positionUpdates.push(p));
    const last = lastPrice(m, 'AAPL');
    const stop = Math.round(last * 0.998 * 100) / 100;

    const r = await m.engine.risk.submitEntry({ symbol: 'AAPL', side: 'buy', stopPrice: stop, reason: 'test signal' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.order.status).toBe('accepted');
    expect(r.order.qty).toBeGreaterThan(0);
    // A marketable limit, immediate or cancel, half a percent through the last trade.
    expect(r.order).toMatchObject({ type: 'limit', timeInForce: 'ioc', limitPrice: Math.ceil(last * 1.005 * 100 - 1e-6) / 100 });
    expect(r.order.qty * last).toBeLessThanOrEqual(2_500 + 1); // maxOrderValue
    expect(heldQty(m, 'AAPL')).toBe(0); // nothing fills on a bar already known
    expect(m.engine.ledger.day().capitalAtRiskUsed).toBeGreaterThan(0);

    m.minutes(1);
    expect(heldQty(m, 'AAPL')).toBe(r.order.qty);
    expect(m.engine.orders.get(r.order.clientOrderId)).toMatchObject({ status: 'filled', filledQty: r.order.qty });
    expect(m.engine.orders.fills(r.order.clientOrderId)).toHaveLength(1);
    expect(updates.filter((u) => u.clientOrderId === r.order.clientOrderId).map((u) => u.status)).toEqual(['new', 'accepted', 'filled']);
    // The hard stop now waits at the broker as a stop order for the shares bought.
    const protective = m.engine.orders.openOrders();
    expect(protective).toEqual([expect.objectContaining({ side: 'sell', type: 'stop', stopPrice: stop, qty: r.order.qty, intent: 'protective-stop', exitRule: 'hardStop', parentId: r.order.clientOrderId })]);
    expect(positionUpdates.at(-1)!.positions).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: r.order.qty })]);

    for (let i = 0; i < 300 && heldQty(m, 'AAPL') !== 0; i++) m.minutes(1);
    expect(heldQty(m, 'AAPL')).toBe(0);
    const exit = updates.find((u) => u.side === 'sell' && u.status === 'filled')!;
    expect(exit).toMatchObject({ intent: 'protective-stop', exitRule: 'hardStop' });
    expect(exit.clientOrderId).toBe(protective[0]!.clientOrderId); // the broker's stop sold, the engine sent nothing more
    expect(m.engine.orders.fills().filter((f) => f.side === 'sell').reduce((q, f) => q + f.qty, 0)).toBe(r.order.qty);
    // Flat again: the entry's capital at risk is given back.
    expect(m.engine.ledger.day().capitalAtRiskUsed).toBe(0);

    const list = await m.engine.dispatch('orders.list', {});
    expect(list.ok).toBe(true);
    if (!list.ok) return;
    const data = list.data as { orders: Order[]; positions: unknown[]; fills: unknown[] };
    expect(data.orders.map((o) => [o.side, o.status])).toEqual([['buy', 'filled'], ['sell', 'filled']]);
    expect(data.positions).toEqual([]);
    expect(data.fills).toHaveLength(2);
  });

  it('when the clock reaches 15:55 then the end-of-day flatten closes the position and no new entry is taken', async () => {
    const m = await started();
    const last = lastPrice(m, 'SPY');
    const r = await m.engine.risk.submitEntry({ symbol: 'SPY', side: 'buy', stopPrice: Math.round(last * 0.9 * 100) / 100, qty: 2, reason: 'hold till close' });
    expect(r.ok).toBe(true);
    m.minutes(1);
    expect(heldQty(m, 'SPY')).toBe(2);

    const session = m.engine.calendar.session('2025-03-03')!;
    m.clock.advanceTo(session.close - 10 * 60_000); // 15:50
    expect(heldQty(m, 'SPY')).toBe(2);
    const late = await m.engine.risk.submitEntry({ symbol: 'QQQ', side: 'buy', stopPrice: Math.round(lastPrice(m, 'QQQ') * 0.9 * 100) / 100, qty: 1, reason: 'too late' });
    expect(late).toMatchObject({ ok: false, check: 'entryWindow' });

    m.clock.advanceTo(session.close - 5 * 60_000); // 15:55: the flatten goes out
    m.minutes(1);
    expect(heldQty(m, 'SPY')).toBe(0);
    const sells = m.engine.orders.fills().filter((f) => f.side === 'sell');
    expect(sells).toHaveLength(1);
    expect(m.engine.orders.get(sells[0]!.clientOrderId)!).toMatchObject({ intent: 'flatten', exitRule: 'eodFlatten' });
  });

  it('when the active model turns against a held position then the ML exit closes it', async () => {
    const m = await started();
    const last = lastPrice(m, 'AAPL');
    const r = await m.engine.risk.submitEntry({ symbol: 'AAPL', side: 'buy', stopPrice: Math.round(last * 0.9 * 100) / 100, qty: 4, reason: 'ml exit test' });
    expect(r.ok).toBe(true);
    m.minutes(1);
    expect(heldQty(m, 'AAPL')).toBe(4);
    m.minutes(1); // a bar held through from its open (the fill is stamped at the end of the bar that filled it)
    const held = m.engine.cache.lastBar('AAPL')!;
    // P(up) 0.45: P(down) 0.55 is below the 0.6 default; then 0.3: P(down) 0.7 exits.
    m.engine.bus.publish('models.scores', { start: held.start, symbols: ['AAPL'], probUp: new Float32Array([0.45]), modelId: 'model-1' });
    expect(m.engine.orders.openOrders().map((o) => o.type)).toEqual(['stop']); // only the protective stop
    m.engine.bus.publish('models.scores', { start: held.start, symbols: ['AAPL'], probUp: new Float32Array([0.3]), modelId: 'model-1' });
    await new Promise((r2) => setImmediate(r2));
    const exit = m.engine.orders.openOrders().find((o) => o.side === 'sell' && o.type === 'market')!;
    expect(exit).toMatchObject({ intent: 'exit', exitRule: 'mlExit' });
    // The protective stop was canceled first: the two can never both sell.
    expect(m.engine.orders.openOrders().filter((o) => o.type === 'stop')).toEqual([]);
    m.minutes(1);
    expect(heldQty(m, 'AAPL')).toBe(0);
  });

  it('when the trading day turned REDUCING then a restart keeps it REDUCING', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'exec-state-')), 'history.sqlite');
    const first = manualEngine({ ...WATCH, TRADING_DB_PATH: db });
    await first.engine.start();
    first.engine.trading.change('REDUCING', 'daily loss limit reached (test)');
    await first.engine.stop();
    const second = manualEngine({ ...WATCH, TRADING_DB_PATH: db });
    current = second;
    await second.engine.start();
    expect(second.engine.trading.state).toMatchObject({ state: 'REDUCING', cause: expect.stringContaining('restored from the risk ledger') });
  });

  it('when the engine restarts HALTED with a position still held then it flattens at once', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'exec-halted-')), 'history.sqlite');
    const first = manualEngine({ ...WATCH, TRADING_DB_PATH: db });
    await first.engine.start();
    first.minutes(5);
    const last = lastPrice(first, 'AAPL');
    expect((await first.engine.risk.submitEntry({ symbol: 'AAPL', side: 'buy', qty: 3, stopPrice: Math.round(last * 0.95 * 100) / 100, reason: 'halt restart' })).ok).toBe(true);
    first.minutes(1);
    expect(heldQty(first, 'AAPL')).toBe(3);
    // The kill switch's state is stored, then the process dies before its flatten could go out.
    first.engine.trading.change('HALTED', 'kill switch (test)');
    await first.engine.stop();

    const second = manualEngine({ ...WATCH, TRADING_DB_PATH: db });
    current = second;
    await second.engine.start();
    expect(second.engine.trading.state.state).toBe('HALTED');
    await new Promise((r) => setImmediate(r));
    const flatten = second.engine.orders.openOrders().find((o) => o.intent === 'flatten');
    expect(flatten).toMatchObject({ symbol: 'AAPL', side: 'sell', qty: 3 });
    // No protective stop is left beside it (the old one was lost with the simulated broker).
    expect(second.engine.orders.openOrders().filter((o) => o.type === 'stop')).toEqual([]);
    second.minutes(1);
    expect(heldQty(second, 'AAPL')).toBe(0);
  });

  it('when the kill switch is pulled then every position is flattened and the engine is HALTED', async () => {
    const m = await started();
    for (const symbol of ['SPY', 'AAPL']) {
      const r = await m.engine.risk.submitEntry({ symbol, side: 'buy', stopPrice: Math.round(lastPrice(m, symbol) * 0.95 * 100) / 100, qty: 3, reason: 'kill test' });
      expect(r.ok).toBe(true);
    }
    m.minutes(1);
    expect(m.engine.orders.positions()).toHaveLength(2);

    const killed = await m.engine.dispatch('trading.killSwitch', { reason: 'test' });
    expect(killed).toMatchObject({ ok: true, data: { state: 'HALTED' } });
    m.minutes(1);
    expect(m.engine.orders.positions()).toEqual([]);
    expect(m.engine.trading.state.state).toBe('HALTED');
    expect(m.engine.ledger.day().state).toBe('HALTED');
    const again = await m.engine.risk.submitEntry({ symbol: 'QQQ', side: 'buy', stopPrice: Math.round(lastPrice(m, 'QQQ') * 0.95 * 100) / 100, qty: 1, reason: 'after halt' });
    expect(again).toMatchObject({ ok: false, check: 'tradingState' });
  });

  it('when the trader flattens one symbol then only that position closes', async () => {
    const m = await started();
    for (const symbol of ['SPY', 'QQQ']) {
      await m.engine.risk.submitEntry({ symbol, side: 'buy', stopPrice: Math.round(lastPrice(m, symbol) * 0.95 * 100) / 100, qty: 1, reason: 'flatten test' });
    }
    m.minutes(1);
    const r = await m.engine.dispatch('positions.flatten', { symbol: 'QQQ' });
    expect(r).toEqual({ ok: true, data: { closed: 1 } });
    m.minutes(1);
    expect(m.engine.orders.positions().map((p) => p.symbol)).toEqual(['SPY']);
    expect(m.engine.trading.state.state).toBe('ACTIVE');
  });

  it('when an entry is oversize then it is denied with the check name and nothing is written', async () => {
    const m = await started();
    const notices: Array<EventPayload<'app.notice'>> = [];
    m.engine.bus.subscribe('app.notice', (n) => notices.push(n));
    const r = await m.engine.risk.submitEntry({ symbol: 'AAPL', side: 'buy', stopPrice: Math.round(lastPrice(m, 'AAPL') * 0.99 * 100) / 100, qty: 5_000, reason: 'fat finger' });
    expect(r).toMatchObject({ ok: false, check: 'orderSize' });
    expect(notices).toEqual([expect.objectContaining({ code: 'risk.orderSize', level: 'warn' })]);
    m.minutes(1);
    expect(m.engine.orders.openOrders()).toEqual([]);
    expect(m.engine.orders.fills()).toEqual([]);
    expect(m.engine.ledger.day().capitalAtRiskUsed).toBe(0);
    const list = await m.engine.dispatch('orders.list', {});
    expect(list).toEqual({ ok: true, data: { orders: [], positions: [], fills: [] } });
  });
});
