// Atomic selectors over the ui slice.
import type { UiStore } from './store';

export const uiSelectors = {
  dialog: (s: UiStore) => s.dialog,
  panelFocus: (s: UiStore) => s.panelFocus,
};
