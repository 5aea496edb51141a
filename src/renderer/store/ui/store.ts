// The ui store: dialogs opened by menu commands or header buttons. A second command replaces the open dialog.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { initialUiState, type UiCommand, type UiState } from './initialState';

export interface UiActions {
  uiCommandReceived(command: UiCommand): void;
  /** The trader opened a dialog from the cockpit itself (a header button), not from the menu. */
  dialogOpened(command: UiCommand): void;
  dialogClosed(): void;
}

export type UiStore = UiState & UiActions;
export type UiStoreApi = StoreApi<UiStore>;

export function createUiStore(initial: Partial<UiState> = {}): UiStoreApi {
  return createStore<UiStore>()((set) => ({
    ...initialUiState,
    ...initial,
    uiCommandReceived: (command) => set({ dialog: command }),
    dialogOpened: (command) => set({ dialog: command }),
    dialogClosed: () => set({ dialog: null }),
  }));
}
