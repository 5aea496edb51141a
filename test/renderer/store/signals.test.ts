// The signals store: the approval desk's signals and mode, loaded on connect and kept live by events.
import { describe, expect, it } from 'vitest';
import { formatCountdown, secondsToExpiry, signalsSelectors } from '../../../src/renderer/store/signals/selectors';
import { createSignalsStore } from '../../../src/renderer/store/signals/store';
import type { DeskSignal } from '../../../src/renderer/store/signals/initialState';
import { T0 } from '../fakes';

function signal(id: string, extra: Partial<DeskSignal> = {}): DeskSignal {
  return {
    id, symbol: 'AAPL', side: 'long', sources: ['orb', 'ml'], confidence: 0.7, reasons: ['breakout'], entryPrice: 100, stopPrice: 99,
    targetPrice: null, qty: 10, dollarsAtRisk: 10, createdAt: T0, expiresAt: T0 + 120_000, status: 'pending', conflictsWith: null, modelVersion: null, ...extra,
  };
}

describe('signals store', () => {
  it('before the engine answers then nothing is loaded and the desk is manual', () => {
    const s = createSignalsStore();
    expect(signalsSelectors.isLoaded(s.getState())).toBe(false);
    expect(signalsSelectors.mode(s.getState())).toBe('manual');
    expect(signalsSelectors.signalIds(s.getState())).toEqual([]);
  });

  it('when signals.list answers then pending signals come first by expiry, then decided ones newest first', () => {
    const s = createSignalsStore();
    s.getState().signalsListed({
      mode: 'auto',
      threshold: 0.8,
      signals: [
        signal('old', { status: 'vetoed' }),
        signal('late', { expiresAt: T0 + 300_000 }),
        signal('new', { status: 'executed', createdAt: T0 + 60_000 }),
        signal('soon', { expiresAt: T0 + 60_000 }),
      ],
    });
    expect(signalsSelectors.isLoaded(s.getState())).toBe(true);
    expect(signalsSelectors.mode(s.getState())).toBe('auto');
    expect(signalsSelectors.threshold(s.getState())).toBe(0.8);
    expect(signalsSelectors.signalIds(s.getState())).toEqual(['soon', 'late', 'new', 'old']);
    expect(signalsSelectors.pendingCount(s.getState())).toBe(2);
  });

  it('when a signal is decided then a late pending update does not reopen it', () => {
    const s = createSignalsStore();
    s.getState().signalUpdated(signal('a'));
    s.getState().signalUpdated(signal('a', { status: 'approved' }));
    s.getState().signalUpdated(signal('a', { status: 'executed' }));
    s.getState().signalUpdated(signal('a', { status: 'pending' }));
    expect(signalsSelectors.signalOf('a')(s.getState())!.status).toBe('executed');
    // A snapshot taken before the decision does not undo it either.
    s.getState().signalsListed({ mode: 'manual', threshold: 0.75, signals: [signal('a')] });
    expect(signalsSelectors.signalOf('a')(s.getState())!.status).toBe('executed');
  });

  it('when the mode changes then the store says so', () => {
    const s = createSignalsStore();
    s.getState().modeChanged({ mode: 'paper-only', threshold: 0.6 });
    expect(signalsSelectors.mode(s.getState())).toBe('paper-only');
    expect(signalsSelectors.threshold(s.getState())).toBe(0.6);
  });

  it('when more signals arrive than the capacity then the oldest decided ones drop and pending ones stay', () => {
    const s = createSignalsStore({ capacity: 2 });
    s.getState().signalUpdated(signal('p1'));
    s.getState().signalUpdated(signal('d1', { status: 'expired', createdAt: T0 }));
    s.getState().signalUpdated(signal('d2', { status: 'expired', createdAt: T0 + 1 }));
    s.getState().signalUpdated(signal('p2', { expiresAt: T0 + 1 }));
    s.getState().signalUpdated(signal('p3', { expiresAt: T0 + 2 }));
    expect(signalsSelectors.signalIds(s.getState())).toEqual(['p2', 'p3', 'p1']);
  });

  it('when the engine clock nears the expiry then the countdown shows minutes and seconds left', () => {
    expect(secondsToExpiry({ expiresAt: T0 + 90_000 }, T0)).toBe(90);
    expect(secondsToExpiry({ expiresAt: T0 + 90_000 }, T0 + 100_000)).toBe(0);
    expect(secondsToExpiry({ expiresAt: T0 }, null)).toBeNull();
    expect(formatCountdown(90)).toBe('1:30');
    expect(formatCountdown(5)).toBe('0:05');
  });
});
