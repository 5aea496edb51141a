// The chart store: the trader's overlay toggles. They outlive the window, so when a storage is given
// (localStorage in the app) the toggles are persisted with zustand's persist middleware; tests and
// hosts without storage get a plain in-memory store.
import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';
import { createStore, type StateCreator, type StoreApi } from 'zustand/vanilla';
import { initialChartState, OVERLAY_GROUPS, type ChartState, type OverlayGroup, type OverlayVisibility } from './initialState';

export interface ChartActions {
  overlayToggled(group: OverlayGroup): void;
  overlaySet(group: OverlayGroup, on: boolean): void;
}

export type ChartStore = ChartState & ChartActions;
export type ChartStoreApi = StoreApi<ChartStore>;

export interface ChartStoreOptions {
  initial?: Partial<ChartState>;
  /** Where the toggles are kept between sessions; null or absent keeps them in memory only. */
  storage?: StateStorage | null;
}

/** The key the toggles are stored under; bump `STORAGE_VERSION` when the stored shape changes. */
export const CHART_STORAGE_KEY = 'cockpit.chart';
const STORAGE_VERSION = 1;

/**
 * Reads stored toggles defensively: the stored value was written by an older build or edited by
 * hand, so only known groups with boolean values are taken; everything else keeps its default.
 */
export function mergeStoredOverlays(stored: unknown, current: OverlayVisibility): OverlayVisibility {
  if (typeof stored !== 'object' || stored === null) return current;
  const overlays = (stored as { overlays?: unknown }).overlays;
  if (typeof overlays !== 'object' || overlays === null) return current;
  const out: Record<OverlayGroup, boolean> = { ...current };
  let changed = false;
  for (const group of OVERLAY_GROUPS) {
    const value = (overlays as Record<string, unknown>)[group];
    if (typeof value === 'boolean' && value !== out[group]) {
      out[group] = value;
      changed = true;
    }
  }
  return changed ? out : current;
}

export function createChartStore(options: ChartStoreOptions = {}): ChartStoreApi {
  const creator: StateCreator<ChartStore> = (set) => ({
    ...initialChartState,
    ...options.initial,
    overlayToggled: (group) => set((s) => ({ overlays: { ...s.overlays, [group]: !s.overlays[group] } })),
    overlaySet: (group, on) => set((s) => (s.overlays[group] === on ? s : { overlays: { ...s.overlays, [group]: on } })),
  });
  const storage = options.storage;
  if (!storage) return createStore<ChartStore>()(creator);
  return createStore<ChartStore>()(
    persist(creator, {
      name: CHART_STORAGE_KEY,
      version: STORAGE_VERSION,
      storage: createJSONStorage(() => storage),
      partialize: (s) => ({ overlays: s.overlays }),
      merge: (stored, current) => {
        const overlays = mergeStoredOverlays(stored, current.overlays);
        return overlays === current.overlays ? current : { ...current, overlays };
      },
    }),
  );
}
