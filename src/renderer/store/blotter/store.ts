// The blotter store: orders and positions as the execution engine reports them. Order updates can
// arrive out of order around a reconnect, so a finished order never reopens and a fill count never goes back.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { initialBlotterState, type BlotterOrder, type BlotterSnapshot, type BlotterState } from './initialState';

export interface BlotterActions {
  ordersListed(snapshot: BlotterSnapshot): void;
  orderUpdated(order: BlotterOrder): void;
  positionsUpdated(update: { positions: BlotterSnapshot['positions'] }): void;
}

export type BlotterStore = BlotterState & BlotterActions;
export type BlotterStoreApi = StoreApi<BlotterStore>;

const TERMINAL: ReadonlySet<BlotterOrder['status']> = new Set(['filled', 'canceled', 'rejected', 'expired']);

/** True when `next` is not older news than `current`. */
function supersedes(current: BlotterOrder | undefined, next: BlotterOrder): boolean {
  if (!current) return true;
  if (TERMINAL.has(current.status) && !TERMINAL.has(next.status)) return false;
  if (next.filledQty < current.filledQty) return false;
  return next.updatedAt >= current.updatedAt || next.filledQty > current.filledQty || TERMINAL.has(next.status);
}

const newestFirst = (a: BlotterOrder, b: BlotterOrder): number => b.submittedAt - a.submittedAt || (a.clientOrderId < b.clientOrderId ? 1 : -1);

function trimmed(orders: Record<string, BlotterOrder>, capacity: number): Pick<BlotterState, 'orders' | 'orderIds'> {
  const sorted = Object.values(orders).sort(newestFirst);
  if (sorted.length <= capacity) return { orders, orderIds: sorted.map((o) => o.clientOrderId) };
  // Working orders are always kept; the oldest finished ones go first.
  const keep = new Set(sorted.filter((o) => !TERMINAL.has(o.status)).map((o) => o.clientOrderId));
  for (const o of sorted) if (keep.size < capacity) keep.add(o.clientOrderId);
  const kept = sorted.filter((o) => keep.has(o.clientOrderId));
  return { orders: Object.fromEntries(kept.map((o) => [o.clientOrderId, o])), orderIds: kept.map((o) => o.clientOrderId) };
}

export function createBlotterStore(initial: Partial<BlotterState> = {}): BlotterStoreApi {
  return createStore<BlotterStore>()((set) => ({
    ...initialBlotterState,
    ...initial,
    ordersListed: (snapshot) =>
      set((s) => {
        // The snapshot is the engine's book now; updates already applied that are newer stay.
        const orders: Record<string, BlotterOrder> = {};
        for (const o of snapshot.orders) orders[o.clientOrderId] = o;
        for (const o of Object.values(s.orders)) if (supersedes(orders[o.clientOrderId], o)) orders[o.clientOrderId] = o;
        return { ...trimmed(orders, s.capacity), positions: snapshot.positions, fills: snapshot.fills, loaded: true };
      }),
    orderUpdated: (order) =>
      set((s) => {
        if (!supersedes(s.orders[order.clientOrderId], order)) return s;
        return trimmed({ ...s.orders, [order.clientOrderId]: order }, s.capacity);
      }),
    positionsUpdated: ({ positions }) => set({ positions }),
  }));
}
