// The chart slice's shape: which feature-engine overlays the trader has switched on. Lines are
// toggled in groups (the three Bollinger bands together), so the state names groups, not lines.

/** The overlay groups, in the order the chart header lists them. */
export const OVERLAY_GROUPS = ['vwap', 'bollinger', 'laguerre', 'support_resistance', 'opening_range'] as const;
export type OverlayGroup = (typeof OVERLAY_GROUPS)[number];

export type OverlayVisibility = Readonly<Record<OverlayGroup, boolean>>;

export interface ChartState {
  /** Which overlay groups are drawn. */
  overlays: OverlayVisibility;
}

/** The opening range is off by default: it is flat for most of the day and clutters the price axis. */
export const DEFAULT_OVERLAYS: OverlayVisibility = {
  vwap: true,
  bollinger: true,
  laguerre: true,
  support_resistance: true,
  opening_range: false,
};

export const initialChartState: ChartState = { overlays: DEFAULT_OVERLAYS };
