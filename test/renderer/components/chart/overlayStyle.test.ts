// The overlay legend: every line has one toggle, and the toggles follow the store's groups.
import { describe, expect, it } from 'vitest';
import {
  isLineVisible,
  linesOfGroup,
  OVERLAY_LEGEND,
  OVERLAY_LINE_STYLES,
} from '../../../../src/renderer/components/chart/overlayStyle';
import { DEFAULT_OVERLAYS, OVERLAY_GROUPS } from '../../../../src/renderer/store/chart/initialState';
import { OVERLAY_KEYS } from '../../../../src/shared/contract';

describe('overlay styles', () => {
  it('lists the toggles in header order with the lines a trader expects under each', () => {
    expect(OVERLAY_LEGEND.map((g) => g.label)).toEqual(['VWAP', 'Bollinger', 'Laguerre', 'S/R', 'Opening range']);
    expect(OVERLAY_LEGEND.map((g) => g.group)).toEqual([...OVERLAY_GROUPS]);
    expect(linesOfGroup('bollinger')).toEqual(['bb_upper', 'bb_middle', 'bb_lower']);
    expect(linesOfGroup('laguerre')).toEqual(['laguerre', 'laguerre_adaptive']);
    expect(linesOfGroup('support_resistance')).toEqual(['support_60', 'resistance_60']);
    expect(linesOfGroup('opening_range')).toEqual(['or_high', 'or_low']);
  });

  it('gives every contract line exactly one toggle', () => {
    const owned = OVERLAY_GROUPS.flatMap(linesOfGroup);
    expect([...owned].sort()).toEqual([...OVERLAY_KEYS].sort());
  });

  it('tells apart the lines of different groups by colour', () => {
    const colourOwners = new Map<string, Set<string>>();
    for (const key of OVERLAY_KEYS) {
      const { color, group } = OVERLAY_LINE_STYLES[key];
      colourOwners.set(color, (colourOwners.get(color) ?? new Set()).add(group));
    }
    for (const groups of colourOwners.values()) expect(groups.size).toBe(1);
  });

  it('when the defaults apply then VWAP, Bollinger, Laguerre and S/R lines are drawn and the opening range is not', () => {
    const drawn = OVERLAY_KEYS.filter((key) => isLineVisible(key, DEFAULT_OVERLAYS));
    expect(drawn).toEqual(['vwap', 'bb_upper', 'bb_middle', 'bb_lower', 'laguerre', 'laguerre_adaptive', 'support_60', 'resistance_60']);
  });
});
