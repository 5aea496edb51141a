// The approval desk inside a running engine on the synthetic market: an approved signal becomes a
// position on the next bar through the simulated broker, a veto or an expiry only records a decision,
// a size can only be lowered, auto mode executes only confident signals, and a restart executes
// nothing late. Every decision is in the audit trail.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../src/shared/contract';
import type { Signal } from '../../../src/main/signals/desk';
import { openDatabase } from '../../../src/main/store/database';
import { manualEngine, type ManualEngine } from '../../helpers/engine';

const WATCH = { TRADING_WATCHLIST: 'SPY,QQQ,AAPL' };
const running: ManualEngine[] = [];

async function started(overrides: Record<string, string> = {}): Promise<ManualEngine> {
  const m = manualEngine({ ...WATCH, ...overrides });
  running.push(m);
  await m.engine.start();
  m.minutes(5); // fresh data for the pre-trade checks
  return m;
}

afterEach(async () => {
  for (const m of running.splice(0)) await m.engine.stop();
});

const heldQty = (m: ManualEngine, symbol: string): number => m.engine.orders.positions().find((p) => p.symbol === symbol)?.qty ?? 0;

let counter = 0;
function signal(m: ManualEngine, over: Partial<Signal> = {}): Signal {
  const symbol = over.symbol ?? 'AAPL';
  const last = m.engine.cache.quote(symbol)!.last;
  const stop = Math.round(last * 0.99 * 100) / 100;
  const now = m.clock.now();
  return {
    id: `s-${++counter}`,
    symbol,
    side: 'long',
    sources: ['orb'],
    confidence: 0.6,
    reasons: ['opening range breakout'],
    entryPrice: last,
    stopPrice: stop,
    targetPrice: null,
    qty: 5,
    dollarsAtRisk: Math.round(5 * (last - stop) * 100) / 100,
    createdAt: now,
    expiresAt: now + 3 * 60_000,
    status: 'pending',
    conflictsWith: null,
    modelVersion: 'model-1',
    ...over,
  };
}

describe('approval desk', () => {
  it('when the trader approves a signal then the entry fills on the next bar and the approval is recorded', async () => {
    const m = await started();
    const updates: Array<EventPayload<'signals.update'>> = [];
    m.engine.bus.subscribe('signals.update', (s) => updates.push(s));
    const s = await m.engine.desk.propose(signal(m));
    expect(s.status).toBe('pending');

    const r = await m.engine.dispatch('signals.approve', { id: s.id });
    expect(r).toMatchObject({ ok: true, data: { id: s.id, status: 'executed' } });
    expect(m.engine.orders.get(`sig-${s.id}`)).toMatchObject({ symbol: 'AAPL', side: 'buy', qty: 5, status: 'accepted' });
    m.minutes(1);
    expect(heldQty(m, 'AAPL')).toBe(5);
    expect(m.engine.orders.get(`sig-${s.id}`)!.status).toBe('filled');
    expect(updates.map((u) => u.status)).toEqual(['pending', 'approved', 'executed']);

    const decisions = m.engine.desk.decisions(s.id);
    expect(decisions).toEqual([expect.objectContaining({ decision: 'approved', by: 'trader', qty: 5, modelVersion: 'model-1' })]);
    expect(decisions[0]!.inputs).toMatchObject({ confidence: 0.6, sources: ['orb'], reasons: ['opening range breakout'] });
    // The signal stays approved-once: a second approval is refused.
    expect(await m.engine.dispatch('signals.approve', { id: s.id })).toMatchObject({ ok: false, error: { code: 'REFUSED' } });
  });

  it('when the trader approves a smaller size then only that many shares are bought', async () => {
    const m = await started();
    const s = await m.engine.desk.propose(signal(m));
    const r = await m.engine.desk.approve(s.id, 2);
    expect(r).toMatchObject({ ok: true, signal: { status: 'executed' } });
    m.minutes(1);
    expect(heldQty(m, 'AAPL')).toBe(2);
    expect(m.engine.desk.decisions(s.id)).toEqual([expect.objectContaining({ decision: 'approved', qty: 2 })]);
  });

  it('when the trader vetoes a signal then a decision is recorded and no order is sent', async () => {
    const m = await started();
    const s = await m.engine.desk.propose(signal(m));
    const r = await m.engine.dispatch('signals.veto', { id: s.id, reason: 'news pending' });
    expect(r).toMatchObject({ ok: true, data: { status: 'vetoed' } });
    m.minutes(5);
    expect(m.engine.orders.fills()).toEqual([]);
    expect(m.engine.execution.snapshot().orders).toEqual([]);
    expect(m.engine.desk.decisions(s.id)).toEqual([expect.objectContaining({ decision: 'vetoed', by: 'trader', detail: 'news pending' })]);
  });

  it('when nobody answers then the signal expires at its expiry, is recorded, and can no longer be approved', async () => {
    const m = await started();
    const s = await m.engine.desk.propose(signal(m));
    m.clock.advanceTo(s.expiresAt - 1);
    expect(m.engine.desk.get(s.id)!.status).toBe('pending');
    m.clock.advanceTo(s.expiresAt);
    expect(m.engine.desk.get(s.id)!.status).toBe('expired');
    expect(m.engine.desk.decisions(s.id)).toEqual([expect.objectContaining({ decision: 'expired', by: 'timeout', at: s.expiresAt })]);
    expect(await m.engine.desk.approve(s.id)).toMatchObject({ ok: false });
    m.minutes(2);
    expect(m.engine.orders.fills()).toEqual([]);
  });

  it('when the trader approves more shares than proposed then the approval is refused and the signal stays pending', async () => {
    const m = await started();
    const s = await m.engine.desk.propose(signal(m));
    const r = await m.engine.dispatch('signals.approve', { id: s.id, qty: 6 });
    expect(r).toMatchObject({ ok: false, error: { code: 'REFUSED' } });
    if (!r.ok) expect(r.error.message).toContain('above');
    expect(m.engine.desk.get(s.id)!.status).toBe('pending');
    m.minutes(1);
    expect(heldQty(m, 'AAPL')).toBe(0);
    expect(m.engine.desk.decisions(s.id)).toEqual([expect.objectContaining({ decision: 'refused', by: 'trader', qty: 6 })]);
  });

  it('when the risk checks deny an approved entry then the signal is refused with the check', async () => {
    const m = await started();
    await m.engine.dispatch('trading.killSwitch', { reason: 'test' });
    const s = await m.engine.desk.propose(signal(m));
    const r = await m.engine.desk.approve(s.id);
    expect(r).toMatchObject({ ok: true, signal: { status: 'refused' } });
    expect(m.engine.desk.decisions(s.id)).toEqual([expect.objectContaining({ decision: 'refused', detail: expect.stringContaining('tradingState') })]);
    expect(m.engine.trading.state.state).toBe('HALTED');
  });

  it('when the desk runs in auto mode then only signals at or above the threshold execute', async () => {
    const m = await started();
    expect(await m.engine.dispatch('signals.setMode', { mode: 'auto', threshold: 0.7 })).toEqual({ ok: true, data: { mode: 'auto', threshold: 0.7 } });
    const confident = await m.engine.desk.propose(signal(m, { symbol: 'SPY', confidence: 0.8, qty: 3 }));
    const doubtful = await m.engine.desk.propose(signal(m, { symbol: 'QQQ', confidence: 0.65, qty: 3 }));
    expect(confident.status).toBe('executed');
    expect(doubtful.status).toBe('pending');
    m.minutes(1);
    expect(heldQty(m, 'SPY')).toBe(3);
    expect(heldQty(m, 'QQQ')).toBe(0);
    expect(m.engine.desk.decisions(confident.id)).toEqual([expect.objectContaining({ decision: 'auto-approved', by: 'auto', qty: 3 })]);
    expect(m.engine.desk.decisions(doubtful.id)).toEqual([]);
    const listed = await m.engine.dispatch('signals.list', {});
    expect(listed).toMatchObject({ ok: true, data: { mode: 'auto', threshold: 0.7 } });
    if (listed.ok) expect((listed.data as { signals: Signal[] }).signals.map((x) => [x.id, x.status])).toEqual([[doubtful.id, 'pending'], [confident.id, 'executed']]);
  });

  it('when the desk is paper-only then an approval is recorded and nothing executes', async () => {
    const m = await started();
    await m.engine.dispatch('signals.setMode', { mode: 'paper-only' });
    const s = await m.engine.desk.propose(signal(m, { confidence: 0.99 }));
    expect(s.status).toBe('pending');
    expect(await m.engine.desk.approve(s.id)).toMatchObject({ ok: true, signal: { status: 'approved' } });
    m.minutes(2);
    expect(m.engine.orders.fills()).toEqual([]);
    expect(m.engine.desk.decisions(s.id)).toEqual([expect.objectContaining({ decision: 'approved', detail: expect.stringContaining('paper-only') })]);
  });

  it('when the engine restarts on the same database then pending signals expire and nothing executes late', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'desk-restart-')), 'history.sqlite');
    const first = await started({ TRADING_DB_PATH: dbPath });
    const waiting = await first.engine.desk.propose(signal(first, { expiresAt: first.clock.now() + 60 * 60_000 }));
    const vetoed = await first.engine.desk.propose(signal(first, { symbol: 'SPY' }));
    first.engine.desk.veto(vetoed.id, 'no');
    await first.engine.stop();

    const second = await started({ TRADING_DB_PATH: dbPath });
    expect(second.engine.desk.get(waiting.id)!.status).toBe('expired');
    expect(second.engine.desk.get(vetoed.id)!.status).toBe('vetoed');
    expect(await second.engine.desk.approve(waiting.id)).toMatchObject({ ok: false });
    second.minutes(5);
    expect(second.engine.orders.fills()).toEqual([]);
    expect(second.engine.orders.positions()).toEqual([]);
    expect(second.engine.desk.decisions(waiting.id)).toEqual([expect.objectContaining({ decision: 'expired', by: 'timeout', detail: 'expired at restart' })]);
    await second.engine.stop();

    // The audit trail on disk holds every decision.
    const db = openDatabase(dbPath);
    try {
      const rows = db.prepare('SELECT signal_id AS id, decision, by FROM decisions ORDER BY decisions.id').all();
      expect(rows).toEqual([
        { id: vetoed.id, decision: 'vetoed', by: 'trader' },
        { id: waiting.id, decision: 'expired', by: 'timeout' },
      ]);
      expect(db.prepare('SELECT id, status FROM signals ORDER BY id').all()).toEqual(
        [
          { id: waiting.id, status: 'expired' },
          { id: vetoed.id, status: 'vetoed' },
        ].sort((a, b) => (a.id < b.id ? -1 : 1)),
      );
    } finally {
      db.close();
    }
  });

  it('when the simulated test hook proposes a signal then it is built from the latest bar and can be approved', async () => {
    const m = await started();
    const r = await m.engine.dispatch('signals.proposeTest', { symbol: 'AAPL', side: 'long', source: 'test' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = r.data as Signal;
    const lastClose = m.engine.cache.lastBar('AAPL')!.close;
    expect(s).toMatchObject({ symbol: 'AAPL', side: 'long', sources: ['test'], status: 'pending', entryPrice: lastClose });
    expect(s.stopPrice).toBeLessThan(lastClose);
    expect(s.qty).toBeGreaterThan(0);
    const approved = await m.engine.dispatch('signals.approve', { id: s.id, qty: 1 });
    expect(approved).toMatchObject({ ok: true, data: { status: 'executed' } });
    m.minutes(1);
    expect(heldQty(m, 'AAPL')).toBe(1);
  });
});
