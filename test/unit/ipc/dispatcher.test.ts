import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/main/config/config';
import { createEngine } from '../../../src/main/app/compose';

function engine() {
  return createEngine(defaultConfig({ TRADING_SIM_START: '2025-03-03' }), { clockTickMs: 0, wallClock: () => Date.UTC(2025, 2, 3) });
}

describe('the IPC boundary (dispatch)', () => {
  it('an unknown channel gets UNKNOWN_CHANNEL, never a throw', async () => {
    const e = engine();
    const result = await e.dispatch('orders.yolo', {});
    expect(result).toEqual({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: expect.stringContaining('orders.yolo') } });
  });

  it('a malformed payload gets BAD_REQUEST naming the field', async () => {
    const e = engine();
    const r1 = await e.dispatch('market.bars', { symbol: 'spy; drop table', limit: 10 });
    expect(r1.ok).toBe(false);
    if (!r1.ok) {
      expect(r1.error.code).toBe('BAD_REQUEST');
      expect(r1.error.message).toContain('symbol');
    }
    const r2 = await e.dispatch('market.bars', { symbol: 'SPY', limit: -5 });
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.error.message).toContain('limit');
    const r3 = await e.dispatch('trading.resume', { confirm: 'yes' });
    expect(r3.ok).toBe(false);
    const r4 = await e.dispatch('app.info', { extra: 1 });
    expect(r4.ok).toBe(false);
    const r5 = await e.dispatch('app.info', 'not an object');
    expect(r5.ok).toBe(false);
  });

  it('a valid request answers with data, defaults applied', async () => {
    const e = engine();
    await e.start();
    const r = await e.dispatch('market.bars', { symbol: 'SPY' });
    expect(r.ok).toBe(true);
    if (r.ok) expect((r.data as { bars: unknown[] }).bars.length).toBe(390); // the seeded prior session
    await e.stop();
  });

  it('a symbol outside the watchlist is refused with a reason', async () => {
    const e = engine();
    const r = await e.dispatch('market.bars', { symbol: 'ZZZZ' });
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('not in the watchlist') } });
  });

  it('features not built yet answer NOT_AVAILABLE, and the engine keeps answering', async () => {
    const e = engine();
    const r = await e.dispatch('backtest.run', { symbols: ['SPY'], from: '2025-01-02', to: '2025-01-31' });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_AVAILABLE' } });
    expect((await e.dispatch('app.info', {})).ok).toBe(true);
  });

  it('the kill switch halts trading and resuming needs an explicit confirmation', async () => {
    const e = engine();
    const events: string[] = [];
    e.onEvent((name, payload) => {
      if (name === 'trading.state') events.push((payload as { state: string }).state);
    });
    const halted = await e.dispatch('trading.killSwitch', { reason: 'test' });
    expect(halted).toMatchObject({ ok: true, data: { state: 'HALTED', previous: 'ACTIVE', cause: 'test' } });
    expect(e.trading.entriesAllowed).toBe(false);
    expect((await e.dispatch('trading.resume', {})).ok).toBe(false);
    expect(await e.dispatch('trading.resume', { confirm: true })).toMatchObject({ ok: true, data: { state: 'ACTIVE' } });
    expect(events).toEqual(['HALTED', 'ACTIVE']);
  });
});
