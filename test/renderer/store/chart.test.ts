// The chart store: overlay toggles, their defaults and their persistence between sessions.
import { describe, expect, it } from 'vitest';
import type { StateStorage } from 'zustand/middleware';
import { DEFAULT_OVERLAYS } from '../../../src/renderer/store/chart/initialState';
import { chartSelectors } from '../../../src/renderer/store/chart/selectors';
import { CHART_STORAGE_KEY, createChartStore, mergeStoredOverlays } from '../../../src/renderer/store/chart/store';
import { createCockpitStores } from '../../../src/renderer/store';

/** A localStorage stand-in. */
function memoryStorage(seed: Record<string, string> = {}): StateStorage & { items: Map<string, string> } {
  const items = new Map(Object.entries(seed));
  return {
    items,
    getItem: (name) => items.get(name) ?? null,
    setItem: (name, value) => void items.set(name, value),
    removeItem: (name) => void items.delete(name),
  };
}

describe('chart store', () => {
  it('when the cockpit starts fresh then VWAP, Bollinger, Laguerre and S/R are on and the opening range is off', () => {
    const chart = createChartStore();
    const s = chart.getState();
    expect(chartSelectors.overlays(s)).toEqual({
      vwap: true,
      bollinger: true,
      laguerre: true,
      support_resistance: true,
      opening_range: false,
    });
    expect(chartSelectors.overlayOn('opening_range')(s)).toBe(false);
  });

  it('when the trader toggles a group then only that group flips, and toggling again restores it', () => {
    const chart = createChartStore();
    chart.getState().overlayToggled('bollinger');
    expect(chart.getState().overlays).toEqual({ ...DEFAULT_OVERLAYS, bollinger: false });
    chart.getState().overlayToggled('bollinger');
    expect(chart.getState().overlays).toEqual(DEFAULT_OVERLAYS);
  });

  it('when a group is set to the state it already has then the overlays keep their reference (no re-render)', () => {
    const chart = createChartStore();
    const before = chart.getState().overlays;
    chart.getState().overlaySet('vwap', true);
    expect(chart.getState().overlays).toBe(before);
    chart.getState().overlaySet('opening_range', true);
    expect(chart.getState().overlays.opening_range).toBe(true);
  });

  it('when the cockpit is reopened with the same storage then the toggles are as the trader left them', () => {
    const storage = memoryStorage();
    const first = createChartStore({ storage });
    first.getState().overlayToggled('vwap');
    first.getState().overlaySet('opening_range', true);
    expect(storage.items.has(CHART_STORAGE_KEY)).toBe(true);

    const reopened = createChartStore({ storage });
    expect(reopened.getState().overlays).toEqual({ ...DEFAULT_OVERLAYS, vwap: false, opening_range: true });
  });

  it('when the stored toggles are corrupt or from another build then the defaults fill what cannot be read', () => {
    const garbled = memoryStorage({ [CHART_STORAGE_KEY]: '{not json' });
    expect(createChartStore({ storage: garbled }).getState().overlays).toEqual(DEFAULT_OVERLAYS);

    const odd = memoryStorage({
      [CHART_STORAGE_KEY]: JSON.stringify({
        state: { overlays: { vwap: false, bollinger: 'yes', ichimoku: true } },
        version: 1,
      }),
    });
    const overlays = createChartStore({ storage: odd }).getState().overlays;
    expect(overlays).toEqual({ ...DEFAULT_OVERLAYS, vwap: false });
    expect(Object.keys(overlays)).not.toContain('ichimoku');
  });

  it('when stored toggles only repeat the defaults then the defaults object is kept', () => {
    expect(mergeStoredOverlays({ overlays: { vwap: true } }, DEFAULT_OVERLAYS)).toBe(DEFAULT_OVERLAYS);
    expect(mergeStoredOverlays(null, DEFAULT_OVERLAYS)).toBe(DEFAULT_OVERLAYS);
    expect(mergeStoredOverlays({ overlays: 'all' }, DEFAULT_OVERLAYS)).toBe(DEFAULT_OVERLAYS);
  });

  it('when two cockpits share no storage then toggling in one leaves the other alone', () => {
    const a = createCockpitStores();
    const b = createCockpitStores();
    a.chart.getState().overlayToggled('laguerre');
    expect(b.chart.getState().overlays.laguerre).toBe(true);
  });
});
