// The history slice's shape: what the engine's history store holds (`history.summary`), which is
// what a replay or a backtest can use.
import type { ResponseOf } from '../../../shared/contract';

export type HistorySummary = ResponseOf<'history.summary'>;
export type StoredSymbol = HistorySummary['symbols'][number];

export interface HistoryState {
  /** Null until the engine has answered. */
  summary: HistorySummary | null;
}

export const initialHistoryState: HistoryState = { summary: null };
