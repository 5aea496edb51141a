// Builds one cockpit's stores. Stores are instances made by this factory and handed down through
// React context, never module singletons, so two cockpits (or two tests) never share state.
import type { StateStorage } from 'zustand/middleware';
import { createBacktestStore, type BacktestStoreApi } from './backtest/store';
import { createBlotterStore, type BlotterStoreApi } from './blotter/store';
import { createChartStore, type ChartStoreApi } from './chart/store';
import { createHistoryStore, type HistoryStoreApi } from './history/store';
import { createJobsStore, type JobsStoreApi } from './jobs/store';
import { createMarketStore, type MarketStoreApi } from './market/store';
import { createModelsStore, type ModelsStoreApi } from './models/store';
import { createNoticesStore, type NoticesStoreApi } from './notices/store';
import { createSessionStore, type SessionStoreApi } from './session/store';
import { createSignalsStore, type SignalsStoreApi } from './signals/store';
import { createUiStore, type UiStoreApi } from './ui/store';

export interface CockpitStores {
  session: SessionStoreApi;
  market: MarketStoreApi;
  notices: NoticesStoreApi;
  ui: UiStoreApi;
  jobs: JobsStoreApi;
  history: HistoryStoreApi;
  chart: ChartStoreApi;
  models: ModelsStoreApi;
  blotter: BlotterStoreApi;
  signals: SignalsStoreApi;
  backtest: BacktestStoreApi;
}

export interface CockpitStoresOptions {
  /** Wall clock for notices the cockpit raises itself. */
  now?: () => number;
  noticeCapacity?: number;
  /** Keeps the trader's chart settings between sessions (localStorage in the app); none keeps them in memory. */
  storage?: StateStorage | null;
}

export function createCockpitStores(options: CockpitStoresOptions = {}): CockpitStores {
  return {
    session: createSessionStore(),
    market: createMarketStore(),
    notices: createNoticesStore({ now: options.now, capacity: options.noticeCapacity }),
    ui: createUiStore(),
    jobs: createJobsStore(),
    history: createHistoryStore(),
    chart: createChartStore({ storage: options.storage }),
    models: createModelsStore(),
    blotter: createBlotterStore(),
    signals: createSignalsStore(),
    backtest: createBacktestStore(),
  };
}

export { sessionSelectors } from './session/selectors';
export { marketSelectors } from './market/selectors';
export { noticesSelectors } from './notices/selectors';
export { uiSelectors } from './ui/selectors';
export { jobsSelectors } from './jobs/selectors';
export { historySelectors } from './history/selectors';
export { chartSelectors } from './chart/selectors';
export { modelsSelectors } from './models/selectors';
export { blotterSelectors } from './blotter/selectors';
export { signalsSelectors } from './signals/selectors';
export { backtestSelectors } from './backtest/selectors';
