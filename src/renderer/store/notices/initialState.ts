// The notices slice's shape: the last N things the trader should read, newest first, whether the
// engine said them (`app.notice`) or the cockpit did (a request that came back as an error).
import type { EventPayload } from '../../../shared/contract';

export type NoticeLevel = EventPayload<'app.notice'>['level'];

export interface Notice {
  /** Unique within one store, for React keys and dismissal. */
  id: number;
  level: NoticeLevel;
  code: string;
  message: string;
  at: number;
  source: 'engine' | 'cockpit';
}

export interface NoticesState {
  notices: readonly Notice[];
  /** How many notices are kept; older ones are dropped. */
  capacity: number;
  nextId: number;
}

export const DEFAULT_NOTICE_CAPACITY = 200;

export const initialNoticesState: NoticesState = {
  notices: [],
  capacity: DEFAULT_NOTICE_CAPACITY,
  nextId: 1,
};
