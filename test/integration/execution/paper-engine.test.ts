// The whole engine in PAPER and LIVE mode against the loopback fake Alpaca (REST and trade_updates over
// real sockets), prices from the seeded synthetic market on a manual clock: a rejected order, partial
// fills, a duplicated fill, a dropped stream with fills missed meanwhile, a position that differs at the
// broker, and the LIVE confirmation.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/main/app/compose';
import { FakeAlpacaTrading } from '../../fakes/fake-alpaca-trading';
import { waitFor } from '../vendors/helpers';
import { startPaperEngine } from '../../helpers/paper-engine';

let fake: FakeAlpacaTrading;
let engine: Engine | null = null;

afterEach(async () => {
  await engine?.stop();
  engine = null;
  await fake?.close();
});

const paperEngine = (mode: 'paper' | 'live' = 'paper', dbPath?: string) => startPaperEngine(fake, { mode, ...(dbPath ? { dbPath } : {}), onCreated: (e) => (engine = e) });

const entry = (e: Engine, symbol: string, qty: number, id: string) => {
  const last = e.cache.quote(symbol)!.last;
  return e.risk.submitEntry({ symbol, side: 'buy', qty, stopPrice: Math.round(last * 0.98 * 100) / 100, targetPrice: Math.round(last * 1.05 * 100) / 100, reason: 'test', clientOrderId: id });
};

const held = (e: Engine, symbol: string): number => e.orders.positions().find((p) => p.symbol === symbol)?.qty ?? 0;

describe('PAPER engine on the fake Alpaca', () => {
  it('partial fills and a duplicated fill event build the position once; the book equals the broker', async () => {
    fake = await FakeAlpacaTrading.start();
    const { engine: e } = await paperEngine();
    const r = await entry(e, 'AAPL', 10, 'entry-AAPL-t1');
    expect(r.ok).toBe(true);
    expect(e.orders.get('entry-AAPL-t1')!.status).toBe('accepted');
    fake.fill('entry-AAPL-t1', 4, 100);
    const second = fake.fill('entry-AAPL-t1', 6, 101);
    fake.sendRaw(second); // the same execution again
    await waitFor(() => e.orders.get('entry-AAPL-t1')!.status === 'filled', 'filled');
    await new Promise((r2) => setTimeout(r2, 50));
    expect(held(e, 'AAPL')).toBe(10);
    expect(e.orders.fills('entry-AAPL-t1').map((f) => f.qty)).toEqual([4, 6]);
    expect(e.orders.get('entry-AAPL-t1')!.avgFillPrice).toBeCloseTo(100.6, 9);
    expect(fake.positions.get('AAPL')!.qty).toBe(10);
    // Tracked with the stop and target it was entered with.
    expect(e.positions.trackedPositions()[0]).toMatchObject({ symbol: 'AAPL', qty: 10 });
    expect(e.positions.trackedPositions()[0]!.stopPrice).toBeGreaterThan(0);
  });

  it('a rejection (403) is a rejected order in the book with the broker reason, and a notice', async () => {
    fake = await FakeAlpacaTrading.start();
    const { engine: e, notices } = await paperEngine();
    fake.rejectWith = 'insufficient buying power';
    const r = await entry(e, 'AAPL', 5, 'entry-AAPL-rej');
    expect(r).toMatchObject({ ok: false, check: 'broker' });
    expect(e.orders.get('entry-AAPL-rej')).toMatchObject({ status: 'rejected', note: 'insufficient buying power' });
    expect(notices.some((n) => n.message.includes('insufficient buying power'))).toBe(true);
    // The capital at risk reserved for it is given back.
    expect(e.ledger.day().capitalAtRiskUsed).toBe(0);
  });

  it('fills missed while the stream was down are applied at the reconnect, once', async () => {
    fake = await FakeAlpacaTrading.start();
    const { engine: e } = await paperEngine();
    await entry(e, 'AAPL', 8, 'entry-AAPL-drop');
    const before = e.reconciler.latest!.at;
    const positionReads = (): number => fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v2/positions')).length;
    const readsBefore = positionReads();
    fake.dropStream();
    // While the socket is gone the broker fills; no client hears it.
    await waitFor(() => fake.listeningClients === 0, 'stream dropped');
    fake.fill('entry-AAPL-drop', 8, 99.5);
    await waitFor(() => e.orders.get('entry-AAPL-drop')!.status === 'filled', 'caught up after the reconnect', 5_000);
    expect(e.reconciler.latest!.trigger).toBe('stream');
    expect(e.reconciler.latest!.at).toBeGreaterThanOrEqual(before);
    expect(e.reconciler.latest!.caughtUp).toEqual(['entry-AAPL-drop']);
    // One reconciliation per reconnect: the engine's (the broker no longer runs a pass of its own).
    expect(positionReads() - readsBefore).toBe(1);
    expect(held(e, 'AAPL')).toBe(8);
    expect(e.orders.fills('entry-AAPL-drop')).toHaveLength(1);
  });

  it('a position that differs at the broker is flagged, never overwritten, and entries stop until the trader resumes', async () => {
    fake = await FakeAlpacaTrading.start();
    fake.setPosition('SPY', 50, 500); // bought on the web before the cockpit started
    const { engine: e, notices } = await paperEngine();
    expect(e.reconciler.latest!.positionMismatches).toEqual([{ symbol: 'SPY', localQty: 0, brokerQty: 50 }]);
    expect(e.trading.state.state).toBe('REDUCING');
    expect(held(e, 'SPY')).toBe(0); // the book keeps its own record
    expect(notices.some((n) => n.code === 'execution.reconcile' && n.message.includes('SPY book 0 vs broker 50'))).toBe(true);
    const r = await entry(e, 'AAPL', 1, 'entry-AAPL-mm');
    expect(r).toMatchObject({ ok: false, check: 'tradingState' });
    const resumed = await e.dispatch('trading.resume', { confirm: true });
    expect(resumed).toMatchObject({ ok: true, data: { state: 'ACTIVE' } });
  });

  it('an own order the book lost is adopted with the intent of what it does, not of what its id says; an outside one is left alone', async () => {
    fake = await FakeAlpacaTrading.start();
    // Both carry the cockpit's own ids, but the book (a fresh database) has neither. Nothing is held,
    // so each would open a position: both are entries, whatever the "exit-" id suggests.
    fake.addLostOwnOrder('entry-AAPL-lost1', 'AAPL', 3, 'buy', 'limit', 1.0);
    fake.addLostOwnOrder('exit-MSFT-target-lost2', 'MSFT', 2, 'sell', 'limit', 9999.0);
    const outside = fake.addOutsideOrder('NVDA', 1);
    const { engine: e, notices } = await paperEngine();
    // The start's reconciliation adopted both; the stream's (the latest) finds nothing more to adopt.
    expect(notices.some((n) => n.code === 'execution.reconcile' && n.message.includes('adopted') && n.message.includes('entry-AAPL-lost1') && n.message.includes('exit-MSFT-target-lost2'))).toBe(true);
    expect(e.reconciler.latest!.outside.map((o) => o.brokerOrderId)).toEqual([outside.id]);
    expect(e.orders.get('entry-AAPL-lost1')).toMatchObject({ intent: 'entry', status: 'accepted', symbol: 'AAPL', qty: 3 });
    expect(e.orders.get('exit-MSFT-target-lost2')).toMatchObject({ intent: 'entry', symbol: 'MSFT', side: 'sell' });
    expect(e.orders.get('exit-MSFT-target-lost2')!.exitRule).toBeUndefined();
    expect(e.orders.get(outside.client_order_id)).toBeUndefined();
  });

  it('an mleg order on the account during reconciliation: the reconciliation completes, an own order is caught up, the mleg order is skipped and named', async () => {
    fake = await FakeAlpacaTrading.start();
    fake.addLostOwnOrder('entry-AAPL-withmleg', 'AAPL', 3, 'buy', 'limit', 1.0);
    const mleg = fake.addOutsideMlegOrder();
    const outside = fake.addOutsideOrder('NVDA', 1);
    const { engine: e } = await paperEngine();
    expect(e.reconciler.latest!.error).toBeNull();
    expect(e.reconciler.latest!.outside.map((o) => o.brokerOrderId)).toEqual([outside.id]);
    expect(e.orders.get('entry-AAPL-withmleg')).toMatchObject({ status: 'accepted', symbol: 'AAPL', qty: 3 });
    expect(e.orders.openOrders().map((o) => o.clientOrderId)).not.toContain(mleg.client_order_id);
  });

  it('an order replaced outside the cockpit ends canceled in the book, noting its successor, which reconciliation flags as outside', async () => {
    fake = await FakeAlpacaTrading.start();
    const { engine: e } = await paperEngine();
    expect((await entry(e, 'AAPL', 4, 'entry-AAPL-repl')).ok).toBe(true);
    await waitFor(() => e.orders.get('entry-AAPL-repl')!.status === 'accepted', 'accepted');
    const next = fake.replaceOrder('entry-AAPL-repl', { qty: 5 }); // the trader edits it in Alpaca's web app
    await waitFor(() => e.orders.get('entry-AAPL-repl')!.status === 'canceled', 'the replaced order ends in the book');
    expect(e.orders.get('entry-AAPL-repl')!.note).toContain(`replaced by ${next.id}`);
    const summary = await e.reconciler.reconcile('stream');
    expect(summary!.outside).toEqual([expect.objectContaining({ brokerOrderId: next.id, qty: 5, symbol: 'AAPL' })]);
    expect(e.orders.get(next.client_order_id)).toBeUndefined();
  });

  it('the book survives a restart of the engine: stops and targets come back from the store', async () => {
    fake = await FakeAlpacaTrading.start();
    const db = join(mkdtempSync(join(tmpdir(), 'paper-restart-')), 'history.sqlite');
    const first = await paperEngine('paper', db);
    await entry(first.engine, 'AAPL', 6, 'entry-AAPL-keep');
    fake.fill('entry-AAPL-keep', 6, 100);
    await waitFor(() => held(first.engine, 'AAPL') === 6, 'held');
    const levels = first.engine.positions.trackedPositions()[0]!;
    await first.engine.stop();
    engine = null;
    const second = await paperEngine('paper', db);
    expect(second.engine.positions.trackedPositions()).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: 6, stopPrice: levels.stopPrice, targetPrice: levels.targetPrice })]);
    expect(second.engine.reconciler.latest!.positionMismatches).toEqual([]);
    expect(second.engine.trading.state.state).toBe('ACTIVE');
  });
});

describe('PAPER engine preflight', () => {
  it('a closure and an early close only the broker knows become stored calendar overrides', async () => {
    fake = await FakeAlpacaTrading.start();
    fake.calendarDays.set('2025-03-05', null); // an unscheduled closure (as on 2025-01-09)
    fake.calendarDays.set('2025-03-06', { close: '13:00' });
    const { engine: e, notices } = await paperEngine();
    expect(e.calendar.session('2025-03-05')).toBeNull();
    expect(e.calendar.session('2025-03-06')!.earlyClose).toBe(true);
    expect(e.calendar.session('2025-03-04')!.earlyClose).toBe(false);
    const rows = e.store.db.prepare('SELECT date, kind FROM calendar_overrides ORDER BY date').all();
    expect(rows).toEqual([
      { date: '2025-03-05', kind: 'closed' },
      { date: '2025-03-06', kind: 'early-close' },
    ]);
    expect(notices.filter((n) => n.code === 'broker.preflight').map((n) => n.message.slice(0, 10))).toEqual(['2025-03-05', '2025-03-06']);
    expect(e.trading.state.state).toBe('ACTIVE');
  });

  it('a blocked account halts trading; a bankroll above the equity is flagged', async () => {
    fake = await FakeAlpacaTrading.start();
    fake.account = { trading_blocked: true, equity: '15000' };
    const { engine: e, notices } = await paperEngine();
    expect(e.trading.state).toMatchObject({ state: 'HALTED', cause: expect.stringContaining('trading is blocked') });
    expect(notices.some((n) => n.code === 'broker.preflight' && n.message.includes('TRADING_BANKROLL 20000 is above'))).toBe(true);
    expect(await entry(e, 'AAPL', 1, 'entry-AAPL-blocked')).toMatchObject({ ok: false, check: 'tradingState' });
  });
});

describe('LIVE engine', () => {
  it('takes no entry until the trader types LIVE in the cockpit; exits are allowed meanwhile', async () => {
    fake = await FakeAlpacaTrading.start();
    const { engine: e } = await paperEngine('live');
    const status = await e.dispatch('session.status', {});
    expect(status).toMatchObject({ ok: true, data: { broker: { live: true, liveConfirmed: false } } });
    expect(e.trading.state.state).toBe('REDUCING');
    expect(await entry(e, 'AAPL', 1, 'entry-AAPL-l1')).toMatchObject({ ok: false, check: 'tradingState' });
    expect(fake.postCount).toBe(0);
    expect(await e.dispatch('trading.resume', { confirm: true })).toMatchObject({ ok: false, error: { code: 'REFUSED' } });
    expect(await e.dispatch('trading.confirmLive', { phrase: 'live' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await e.dispatch('trading.confirmLive', { phrase: 'LIVE' })).toMatchObject({ ok: true, data: { state: 'ACTIVE' } });
    expect(await entry(e, 'AAPL', 1, 'entry-AAPL-l2')).toMatchObject({ ok: true });
    expect(fake.postCount).toBe(1);
  });

  it('a simulated or paper session has nothing to confirm', async () => {
    fake = await FakeAlpacaTrading.start();
    const { engine: e } = await paperEngine('paper');
    expect(await e.dispatch('trading.confirmLive', { phrase: 'LIVE' })).toMatchObject({ ok: false, error: { code: 'REFUSED' } });
  });
});
