// The focus list inside a running engine: the simulated session starts at 09:30, so the engine builds
// today's list once at start (stored, pushed as 'signals.focus', answered by 'signals.focusList'), and
// the next one comes at 09:15 New York of the next trading day.
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayload, ResponseOf } from '../../../src/shared/contract';
import { syntheticDailyBars } from '../../helpers/daily-bars';
import { manualEngine, type ManualEngine } from '../../helpers/engine';

const running: ManualEngine[] = [];
afterEach(async () => {
  for (const m of running.splice(0)) await m.engine.stop();
});

type Focus = ResponseOf<'signals.focusList'>;
const focusList = async (m: ManualEngine): Promise<Focus> => {
  const r = await m.engine.dispatch('signals.focusList', {});
  if (!r.ok) throw new Error(r.error.message);
  return r.data as Focus;
};

describe('focus list in a simulated session', () => {
  it('after start, signals.focusList returns a list with picks and reasons built from stored daily bars', async () => {
    const m = manualEngine({ TRADING_WATCHLIST: 'SPY,QQQ,AAPL' });
    running.push(m);
    // 60 stored daily sessions before the simulated day (2025-03-03).
    ['SPY', 'QQQ', 'AAPL'].forEach((s, i) => m.engine.store.insertBars('1d', syntheticDailyBars(s, { from: '2024-11-25', days: 60, phi: 0.2, seed: 11 + i })));
    const pushed: Array<EventPayload<'signals.focus'>> = [];
    m.engine.bus.subscribe('signals.focus', (f) => pushed.push(f));
    await m.engine.start();
    const list = (await focusList(m))!;
    expect(list.date).toBe('2025-03-03');
    expect(list.picks.length).toBeGreaterThan(0);
    expect(list.picks.length + list.rejected.length).toBe(3);
    for (const p of list.picks) {
      expect(['SPY', 'QQQ', 'AAPL']).toContain(p.symbol);
      expect(p.reasons.join(', ')).toMatch(/^avg \$ volume [\d.]+[KMB], ATR \d+\.\d%, gap [+-]\d+\.\d%/);
    }
    expect(pushed).toEqual([list]);

    // The next list: 09:15 ET on Tuesday.
    m.minutes(390 + 17 * 60 + 45);
    expect(pushed.map((p) => p.date)).toEqual(['2025-03-03', '2025-03-04']);
    expect((await focusList(m))?.date).toBe('2025-03-04');
  });

  it('without stored daily history the list still exists, from the streamed prior session', async () => {
    const m = manualEngine();
    running.push(m);
    await m.engine.start();
    const list = (await focusList(m))!;
    expect(list.date).toBe('2025-03-03');
    expect(list.picks.length + list.rejected.length).toBe(m.engine.config.watchlist.length);
  });
});
