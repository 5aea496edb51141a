// The signals store: the approval desk as the engine reports it. A decided signal never goes back to
// pending (an update can arrive after the snapshot that already decided it).
import { createStore, type StoreApi } from 'zustand/vanilla';
import { initialSignalsState, type DeskMode, type DeskSignal, type FocusList, type SignalsSnapshot, type SignalsState } from './initialState';

export interface SignalsActions {
  signalsListed(snapshot: SignalsSnapshot): void;
  signalUpdated(signal: DeskSignal): void;
  modeChanged(policy: { mode: DeskMode; threshold: number }): void;
  /** A focus list arrived; an older one (earlier date, or built earlier) never replaces a newer one. */
  focusReceived(list: FocusList | null): void;
}

export type SignalsStore = SignalsState & SignalsActions;
export type SignalsStoreApi = StoreApi<SignalsStore>;

/** Status order: pending → approved → a final one; a later report never moves a signal back. */
const RANK: Record<DeskSignal['status'], number> = { pending: 0, approved: 1, vetoed: 2, expired: 2, executed: 2, refused: 2 };

function supersedes(current: DeskSignal | undefined, next: DeskSignal): boolean {
  return !current || RANK[next.status] >= RANK[current.status];
}

function ordered(signals: Record<string, DeskSignal>, capacity: number): Pick<SignalsState, 'signals' | 'signalIds'> {
  const all = Object.values(signals);
  const pending = all.filter((s) => s.status === 'pending').sort((a, b) => a.expiresAt - b.expiresAt || (a.id < b.id ? -1 : 1));
  const rest = all.filter((s) => s.status !== 'pending').sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  const kept = [...pending, ...rest].slice(0, Math.max(capacity, pending.length));
  return { signals: Object.fromEntries(kept.map((s) => [s.id, s])), signalIds: kept.map((s) => s.id) };
}

export function createSignalsStore(initial: Partial<SignalsState> = {}): SignalsStoreApi {
  return createStore<SignalsStore>()((set) => ({
    ...initialSignalsState,
    ...initial,
    signalsListed: (snapshot) =>
      set((s) => {
        const signals: Record<string, DeskSignal> = {};
        for (const x of snapshot.signals) signals[x.id] = x;
        for (const x of Object.values(s.signals)) if (supersedes(signals[x.id], x)) signals[x.id] = x;
        return { ...ordered(signals, s.capacity), mode: snapshot.mode, threshold: snapshot.threshold, loaded: true };
      }),
    signalUpdated: (signal) =>
      set((s) => {
        if (!supersedes(s.signals[signal.id], signal)) return s;
        return ordered({ ...s.signals, [signal.id]: signal }, s.capacity);
      }),
    modeChanged: ({ mode, threshold }) => set({ mode, threshold }),
    focusReceived: (list) =>
      set((s) => {
        if (!list) return s;
        const cur = s.focus;
        if (cur && (cur.date > list.date || (cur.date === list.date && cur.createdAt > list.createdAt))) return s;
        return { focus: list };
      }),
  }));
}
