// Atomic selectors over the chart slice. `overlays` keeps its reference until a toggle changes it.
import type { OverlayGroup } from './initialState';
import type { ChartStore } from './store';

export const chartSelectors = {
  overlays: (s: ChartStore) => s.overlays,
  overlayOn:
    (group: OverlayGroup) =>
    (s: ChartStore): boolean =>
      s.overlays[group],
};
