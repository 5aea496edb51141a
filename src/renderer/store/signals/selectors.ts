// Atomic selectors over the signals slice.
import type { DeskSignal } from './initialState';
import type { SignalsStore } from './store';

export const signalsSelectors = {
  signalIds: (s: SignalsStore): readonly string[] => s.signalIds,
  signalOf:
    (id: string) =>
    (s: SignalsStore): DeskSignal | undefined =>
      s.signals[id],
  mode: (s: SignalsStore) => s.mode,
  threshold: (s: SignalsStore) => s.threshold,
  pendingCount: (s: SignalsStore): number => s.signalIds.reduce((n, id) => n + (s.signals[id]!.status === 'pending' ? 1 : 0), 0),
  isLoaded: (s: SignalsStore): boolean => s.loaded,
  focus: (s: SignalsStore) => s.focus,
};

/** Whole seconds left before a pending signal expires (0 once due), by the engine clock. */
export function secondsToExpiry(signal: Pick<DeskSignal, 'expiresAt'>, now: number | null): number | null {
  if (now === null) return null;
  return Math.max(0, Math.ceil((signal.expiresAt - now) / 1000));
}

/** 'm:ss' of a countdown. */
export function formatCountdown(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}
