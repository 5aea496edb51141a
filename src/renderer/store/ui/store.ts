// The ui store: dialogs opened by menu commands or header buttons, and panels brought to the front.
// A second command replaces the open dialog; a panel command closes it, since a modal would hide
// the panel the trader asked for.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { initialUiState, PANEL_COMMANDS, type DialogCommand, type UiCommand, type UiState } from './initialState';

export interface UiActions {
  uiCommandReceived(command: UiCommand): void;
  /** The trader opened a dialog from the cockpit itself (a header button), not from the menu. */
  dialogOpened(command: DialogCommand): void;
  dialogClosed(): void;
  /** Something in the cockpit asks the layout to show a panel (a registry id). */
  panelFocusRequested(panel: string): void;
}

export type UiStore = UiState & UiActions;
export type UiStoreApi = StoreApi<UiStore>;

const isPanelCommand = (command: UiCommand): command is keyof typeof PANEL_COMMANDS => command in PANEL_COMMANDS;

export function createUiStore(initial: Partial<UiState> = {}): UiStoreApi {
  return createStore<UiStore>()((set) => ({
    ...initialUiState,
    ...initial,
    uiCommandReceived: (command) =>
      set((s) =>
        isPanelCommand(command)
          ? { dialog: null, panelFocus: { panel: PANEL_COMMANDS[command], seq: (s.panelFocus?.seq ?? 0) + 1 } }
          : { dialog: command },
      ),
    dialogOpened: (command) => set({ dialog: command }),
    dialogClosed: () => set({ dialog: null }),
    panelFocusRequested: (panel) => set((s) => ({ panelFocus: { panel, seq: (s.panelFocus?.seq ?? 0) + 1 } })),
  }));
}
