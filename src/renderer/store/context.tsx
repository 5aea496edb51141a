// Hands one cockpit (api, engine client, stores) to the component tree, and the hooks that read it.
// Components select one slice at a time; reading a whole store would re-render on every change.
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { CockpitApi } from '../../shared/contract';
import type { BacktestStore } from './backtest/store';
import type { BlotterStore } from './blotter/store';
import type { ChartStore } from './chart/store';
import type { EngineClient } from './engine';
import type { HistoryStore } from './history/store';
import type { CockpitStores } from './index';
import type { JobsStore } from './jobs/store';
import type { MarketStore } from './market/store';
import type { ModelsStore } from './models/store';
import type { NoticesStore } from './notices/store';
import type { SessionStore } from './session/store';
import type { SignalsStore } from './signals/store';
import type { UiStore } from './ui/store';

export interface Cockpit {
  /** Raw contract access, for event subscriptions that bypass the stores (bars to the chart). */
  api: CockpitApi;
  /** Requests that file their failures as notices. */
  engine: EngineClient;
  stores: CockpitStores;
}

const CockpitContext = createContext<Cockpit | null>(null);

export function CockpitProvider({ cockpit, children }: { cockpit: Cockpit; children: ReactNode }) {
  return <CockpitContext.Provider value={cockpit}>{children}</CockpitContext.Provider>;
}

export function useCockpit(): Cockpit {
  const cockpit = useContext(CockpitContext);
  // A component outside the provider is a wiring bug, not a runtime condition.
  if (!cockpit) throw new Error('useCockpit() used outside <CockpitProvider>');
  return cockpit;
}

export const useSession = <T,>(selector: (s: SessionStore) => T): T => useStore(useCockpit().stores.session, selector);
export const useMarket = <T,>(selector: (s: MarketStore) => T): T => useStore(useCockpit().stores.market, selector);
export const useNotices = <T,>(selector: (s: NoticesStore) => T): T => useStore(useCockpit().stores.notices, selector);
export const useUi = <T,>(selector: (s: UiStore) => T): T => useStore(useCockpit().stores.ui, selector);
export const useJobs = <T,>(selector: (s: JobsStore) => T): T => useStore(useCockpit().stores.jobs, selector);
export const useHistory = <T,>(selector: (s: HistoryStore) => T): T => useStore(useCockpit().stores.history, selector);
export const useChart = <T,>(selector: (s: ChartStore) => T): T => useStore(useCockpit().stores.chart, selector);
export const useModels = <T,>(selector: (s: ModelsStore) => T): T => useStore(useCockpit().stores.models, selector);
export const useBlotter = <T,>(selector: (s: BlotterStore) => T): T => useStore(useCockpit().stores.blotter, selector);
export const useSignals = <T,>(selector: (s: SignalsStore) => T): T => useStore(useCockpit().stores.signals, selector);
export const useBacktest = <T,>(selector: (s: BacktestStore) => T): T => useStore(useCockpit().stores.backtest, selector);
