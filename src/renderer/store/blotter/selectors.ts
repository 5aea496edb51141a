// Atomic selectors over the blotter slice.
import type { BlotterOrder } from './initialState';
import type { BlotterStore } from './store';

const TERMINAL: ReadonlySet<BlotterOrder['status']> = new Set(['filled', 'canceled', 'rejected', 'expired']);

export const blotterSelectors = {
  orderIds: (s: BlotterStore): readonly string[] => s.orderIds,
  /** One order by id (for a memoised row selector). */
  orderOf:
    (clientOrderId: string) =>
    (s: BlotterStore): BlotterOrder | undefined =>
      s.orders[clientOrderId],
  /** Epoch ms of an order's latest fill, or undefined before its first. */
  fillTimeOf:
    (clientOrderId: string) =>
    (s: BlotterStore): number | undefined =>
      s.fillAt[clientOrderId],
  positions: (s: BlotterStore) => s.positions,
  hasPositions: (s: BlotterStore): boolean => s.positions.length > 0,
  workingOrderCount: (s: BlotterStore): number => s.orderIds.reduce((n, id) => n + (TERMINAL.has(s.orders[id]!.status) ? 0 : 1), 0),
  isLoaded: (s: BlotterStore): boolean => s.loaded,
};
