// Atomic selectors over the history slice.
import type { StoredSymbol } from './initialState';
import type { HistoryStore } from './store';

const NONE: readonly StoredSymbol[] = [];

export const historySelectors = {
  summary: (s: HistoryStore) => s.summary,
  /** Stored symbols; the same empty array until the engine answers, so nothing re-renders for it. */
  storedSymbols: (s: HistoryStore): readonly StoredSymbol[] => s.summary?.symbols ?? NONE,
  dbPath: (s: HistoryStore): string | null => s.summary?.dbPath ?? null,
  isKnown: (s: HistoryStore): boolean => s.summary !== null,
};
