// Every dockable panel, in one map: the layout adds them in this order. A later panel is one more
// entry here.
import type { ComponentType } from 'react';
import { BacktestPanel } from './BacktestPanel';
import { BlotterPanel } from './BlotterPanel';
import { ChartPanel } from './ChartPanel';
import { HistoryPanel } from './HistoryPanel';
import { ModelsPanel } from './ModelsPanel';
import { NoticesPanel } from './NoticesPanel';
import { SignalsPanel } from './SignalsPanel';
import { WatchlistPanel } from './WatchlistPanel';

export interface PanelPlacement {
  /** The panel this one is placed against; omitted for the first (main) panel. */
  referencePanel: string;
  direction: 'left' | 'right' | 'above' | 'below' | 'within';
}

export interface PanelDefinition {
  title: string;
  component: ComponentType;
  placement?: PanelPlacement;
  initialWidth?: number;
  initialHeight?: number;
  /** Added as a background tab: the panel it joins keeps showing. */
  inactive?: boolean;
}

export const panelRegistry = {
  chart: { title: 'Chart', component: ChartPanel },
  watchlist: {
    title: 'Watchlist',
    component: WatchlistPanel,
    placement: { referencePanel: 'chart', direction: 'left' },
    initialWidth: 360,
  },
  notices: {
    title: 'Notices',
    component: NoticesPanel,
    placement: { referencePanel: 'chart', direction: 'below' },
    initialHeight: 170,
  },
  history: {
    title: 'History',
    component: HistoryPanel,
    placement: { referencePanel: 'notices', direction: 'within' },
    inactive: true,
  },
  models: {
    title: 'Models',
    component: ModelsPanel,
    placement: { referencePanel: 'notices', direction: 'within' },
    inactive: true,
  },
  blotter: {
    title: 'Blotter',
    component: BlotterPanel,
    placement: { referencePanel: 'notices', direction: 'within' },
    inactive: true,
  },
  signals: {
    title: 'Signals',
    component: SignalsPanel,
    placement: { referencePanel: 'notices', direction: 'within' },
    inactive: true,
  },
  // A background tab beside the chart: its report needs the room; the menu's Backtest command brings it forward.
  backtest: {
    title: 'Backtest',
    component: BacktestPanel,
    placement: { referencePanel: 'chart', direction: 'within' },
    inactive: true,
  },
} satisfies Record<string, PanelDefinition>;

export type PanelId = keyof typeof panelRegistry;
export const panelDefinitions: Readonly<Record<string, PanelDefinition>> = panelRegistry;
