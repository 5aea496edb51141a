// The signals slice's shape: the approval desk's mode and its signals (by id), from `signals.list` on
// connect and kept live by 'signals.update'.
import type { EventPayload, ResponseOf } from '../../../shared/contract';

export type DeskSignal = EventPayload<'signals.update'>;
export type SignalsSnapshot = ResponseOf<'signals.list'>;
export type DeskMode = SignalsSnapshot['mode'];
/** The pre-market focus list (`signals.focusList`, then 'signals.focus'). */
export type FocusList = EventPayload<'signals.focus'>;

export interface SignalsState {
  mode: DeskMode;
  threshold: number;
  signals: Record<string, DeskSignal>;
  /** Pending first (soonest expiry first), then the rest newest first. */
  signalIds: string[];
  /** False until the engine has answered `signals.list`. */
  loaded: boolean;
  /** Most signals kept; the oldest decided ones drop off. */
  capacity: number;
  /** The latest pre-market focus list, or null before the first. */
  focus: FocusList | null;
}

export const initialSignalsState: SignalsState = { mode: 'manual', threshold: 0.75, signals: {}, signalIds: [], loaded: false, capacity: 200, focus: null };
