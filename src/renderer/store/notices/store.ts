// The notices store: engine notices and failed requests become one list the trader reads.
// Failed requests are notices, never exceptions, so one refusal cannot break the cockpit.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppError, EventPayload } from '../../../shared/contract';
import { initialNoticesState, type Notice, type NoticesState } from './initialState';

export interface NoticesActions {
  noticeReceived(notice: EventPayload<'app.notice'>): void;
  /** A request answered `{ ok: false }` (or its transport failed). */
  requestFailed(channel: string, error: AppError): void;
  /** The cockpit itself has something to say (a job's outcome it judged); stamped with the cockpit's clock. */
  noticeRaised(notice: Pick<Notice, 'level' | 'code' | 'message'>): void;
  noticeDismissed(id: number): void;
  noticesCleared(): void;
}

export type NoticesStore = NoticesState & NoticesActions;
export type NoticesStoreApi = StoreApi<NoticesStore>;

export interface NoticesStoreOptions {
  capacity?: number;
  /** Stamps notices the cockpit raises itself; injected so tests are deterministic. */
  now?: () => number;
}

export function createNoticesStore(options: NoticesStoreOptions = {}): NoticesStoreApi {
  const now = options.now ?? Date.now;
  return createStore<NoticesStore>()((set) => {
    const push = (s: NoticesState, notice: Omit<Notice, 'id'>): Partial<NoticesState> => ({
      notices: [{ ...notice, id: s.nextId }, ...s.notices].slice(0, s.capacity),
      nextId: s.nextId + 1,
    });
    return {
      ...initialNoticesState,
      capacity: options.capacity ?? initialNoticesState.capacity,
      noticeReceived: (notice) => set((s) => push(s, { ...notice, source: 'engine' })),
      requestFailed: (channel, error) =>
        set((s) =>
          push(s, {
            level: 'error',
            code: error.code,
            message: `${channel}: ${error.message}`,
            at: now(),
            source: 'cockpit',
          }),
        ),
      noticeRaised: (notice) => set((s) => push(s, { ...notice, at: now(), source: 'cockpit' })),
      noticeDismissed: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
      noticesCleared: () => set({ notices: [] }),
    };
  });
}
