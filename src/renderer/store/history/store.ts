// The history store: the latest `history.summary` answer. It is re-read after every finished import.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { initialHistoryState, type HistoryState, type HistorySummary } from './initialState';

export interface HistoryActions {
  historySummaryReceived(summary: HistorySummary): void;
}

export type HistoryStore = HistoryState & HistoryActions;
export type HistoryStoreApi = StoreApi<HistoryStore>;

export function createHistoryStore(initial: Partial<HistoryState> = {}): HistoryStoreApi {
  return createStore<HistoryStore>()((set) => ({
    ...initialHistoryState,
    ...initial,
    historySummaryReceived: (summary) => set({ summary }),
  }));
}
