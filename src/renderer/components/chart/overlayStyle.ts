// How each feature-engine overlay line looks and which header toggle owns it. Shared by the chart
// (series options) and the header (toggle swatches), so the legend always matches the lines.
// Colours are muted and lines thin so the candles stay the loudest thing on the chart.
import { OVERLAY_KEYS, type OverlayKey } from '../../../shared/contract';
import { OVERLAY_GROUPS, type OverlayGroup, type OverlayVisibility } from '../../store/chart/initialState';

export type OverlayDash = 'solid' | 'dotted' | 'dashed';

export interface OverlayLineStyle {
  /** The header toggle that shows and hides the line. */
  group: OverlayGroup;
  /** Legend name of the line. */
  label: string;
  color: string;
  dash: OverlayDash;
}

export interface OverlayGroupLabel {
  /** The toggle's text. */
  label: string;
  /** What the lines are, for the toggle's tooltip. */
  description: string;
}

const BOLLINGER = '#7688b4';
const OPENING_RANGE = '#4fa9bf';

/** A record over the contract's keys, so a new overlay without a style fails the type check. */
export const OVERLAY_LINE_STYLES: Readonly<Record<OverlayKey, OverlayLineStyle>> = {
  vwap: { group: 'vwap', label: 'VWAP', color: '#d9a04c', dash: 'solid' },
  bb_upper: { group: 'bollinger', label: 'BB upper', color: BOLLINGER, dash: 'solid' },
  bb_middle: { group: 'bollinger', label: 'BB middle', color: BOLLINGER, dash: 'dotted' },
  bb_lower: { group: 'bollinger', label: 'BB lower', color: BOLLINGER, dash: 'solid' },
  laguerre: { group: 'laguerre', label: 'Laguerre', color: '#b07fd0', dash: 'solid' },
  laguerre_adaptive: { group: 'laguerre', label: 'Adaptive Laguerre', color: '#d48bab', dash: 'solid' },
  support_60: { group: 'support_resistance', label: 'Support 60', color: '#6fa86a', dash: 'dashed' },
  resistance_60: { group: 'support_resistance', label: 'Resistance 60', color: '#c9736a', dash: 'dashed' },
  or_high: { group: 'opening_range', label: 'OR high', color: OPENING_RANGE, dash: 'dashed' },
  or_low: { group: 'opening_range', label: 'OR low', color: OPENING_RANGE, dash: 'dashed' },
};

export const OVERLAY_GROUP_LABELS: Readonly<Record<OverlayGroup, OverlayGroupLabel>> = {
  vwap: { label: 'VWAP', description: 'Session VWAP' },
  bollinger: { label: 'Bollinger', description: 'Bollinger bands: 20-bar SMA ± 2σ' },
  laguerre: { label: 'Laguerre', description: 'Laguerre filter and adaptive Laguerre filter' },
  support_resistance: { label: 'S/R', description: 'Support and resistance: lowest low and highest high of the last 60 bars' },
  opening_range: { label: 'Opening range', description: 'Opening range high and low (first 30 minutes)' },
};

/** The lines a toggle owns, in contract order. */
export function linesOfGroup(group: OverlayGroup): OverlayKey[] {
  return OVERLAY_KEYS.filter((key) => OVERLAY_LINE_STYLES[key].group === group);
}

/** Whether a line is drawn under the given toggles. */
export function isLineVisible(key: OverlayKey, overlays: OverlayVisibility): boolean {
  return overlays[OVERLAY_LINE_STYLES[key].group];
}

/** The header's legend: each toggle with its lines, in the store's group order. */
export const OVERLAY_LEGEND = OVERLAY_GROUPS.map((group) => ({
  group,
  ...OVERLAY_GROUP_LABELS[group],
  lines: linesOfGroup(group).map((key) => ({ key, ...OVERLAY_LINE_STYLES[key] })),
}));
