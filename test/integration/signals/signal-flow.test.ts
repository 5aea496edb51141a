// The whole signal path in a simulated session: rule generators on the live feature rows, fusion,
// sizing by the risk manager, and the approval desk — signals from several sources, each with
// reasons, a size and dollars at risk, waiting for the trader.
import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../src/shared/contract';
import { manualEngine } from '../../helpers/engine';

describe('signals in a simulated session', () => {
  it('rule generators propose sized signals from at least three sources, and they wait in manual mode', async () => {
    const m = manualEngine({}, '2025-03-03', { signals: true });
    const updates: Array<EventPayload<'signals.update'>> = [];
    m.engine.bus.subscribe('signals.update', (s) => updates.push(s));
    await m.engine.start();
    m.minutes(390);
    await new Promise((r) => setTimeout(r, 50));
    const signals = m.engine.desk.list();
    expect(signals.length).toBeGreaterThan(5);
    const sources = new Set(signals.flatMap((s) => s.sources));
    expect(sources.size, [...sources].join(',')).toBeGreaterThanOrEqual(3);
    for (const s of signals) {
      expect(s.reasons.length).toBeGreaterThan(0);
      expect(s.side === 'long' ? s.stopPrice < s.entryPrice : s.stopPrice > s.entryPrice).toBe(true);
      expect(s.qty).toBeGreaterThanOrEqual(0);
      expect(s.dollarsAtRisk).toBeCloseTo(s.qty * Math.abs(s.entryPrice - s.stopPrice), 1);
    }
    // Manual mode: nothing executed without the trader; unanswered ones expired.
    expect(signals.every((s) => s.status === 'pending' || s.status === 'expired')).toBe(true);
    expect(signals.some((s) => s.status === 'expired')).toBe(true);
    expect(updates.length).toBeGreaterThanOrEqual(signals.length);
    await m.engine.stop();
  });
});
