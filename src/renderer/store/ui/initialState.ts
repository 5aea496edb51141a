// The ui slice's shape: which dialog a menu command (`ui.command`) has opened, if any.
import type { EventPayload } from '../../../shared/contract';

export type UiCommand = EventPayload<'ui.command'>['command'];

export interface UiState {
  /** The command whose dialog is open; null when none is. */
  dialog: UiCommand | null;
}

export const initialUiState: UiState = { dialog: null };
