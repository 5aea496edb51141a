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

/** The fill times of the orders still kept (the same object when none was dropped). */
function fillTimesOf(fillAt: Record<string, number>, orders: Record<string, BlotterOrder>): Record<string, number> {
  const ids = Object.keys(fillAt);
  if (ids.every((id) => id in orders)) return fillAt;
  return Object.fromEntries(ids.filter((id) => id in orders).map((id) => [id, fillAt[id]!]));
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
        const fillAt: Record<string, number> = { ...s.fillAt };
        for (const f of snapshot.fills) fillAt[f.clientOrderId] = Math.max(fillAt[f.clientOrderId] ?? -Infinity, f.time);
        // The snapshot's fills are only the latest ones; an older filled order's last update is its fill.
        for (const o of Object.values(orders)) if (o.filledQty > 0 && fillAt[o.clientOrderId] === undefined) fillAt[o.clientOrderId] = o.updatedAt;
        const kept = trimmed(orders, s.capacity);
        return { ...kept, fillAt: fillTimesOf(fillAt, kept.orders), positions: snapshot.positions, fills: snapshot.fills, loaded: true };
      }),
    orderUpdated: (order) =>
      set((s) => {
        const current = s.orders[order.clientOrderId];
        if (!supersedes(current, order)) return s;
        const kept = trimmed({ ...s.orders, [order.clientOrderId]: order }, s.capacity);
        const filledNow = order.filledQty > (current?.filledQty ?? 0);
        const fillAt = filledNow ? { ...s.fillAt, [order.clientOrderId]: order.updatedAt } : s.fillAt;
        return { ...kept, fillAt: fillTimesOf(fillAt, kept.orders) };
      }),
    positionsUpdated: ({ positions }) => set({ positions }),
  }));
}
