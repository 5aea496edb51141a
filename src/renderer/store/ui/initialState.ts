// The ui slice's shape: which dialog a menu command (`ui.command`) has opened, if any, and which
// dockable panel a command last asked to bring to the front.
import type { EventPayload } from '../../../shared/contract';

export type UiCommand = EventPayload<'ui.command'>['command'];

/** Commands that bring a panel to the front instead of opening a dialog, and the panel each shows. */
export const PANEL_COMMANDS = { 'models.open': 'models', 'backtest.open': 'backtest' } as const satisfies Partial<Record<UiCommand, string>>;
export type PanelCommand = keyof typeof PANEL_COMMANDS;
/** Commands that open a dialog. */
export type DialogCommand = Exclude<UiCommand, PanelCommand>;

export interface PanelFocusRequest {
  /** A panel id of the registry. */
  panel: string;
  /** Grows with every request, so asking twice for the same panel focuses it twice. */
  seq: number;
}

export interface UiState {
  /** The command whose dialog is open; null when none is. */
  dialog: DialogCommand | null;
  /** The latest request to bring a panel to the front; the layout carries it out. */
  panelFocus: PanelFocusRequest | null;
}

export const initialUiState: UiState = { dialog: null, panelFocus: null };
