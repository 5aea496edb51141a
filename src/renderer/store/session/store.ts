// The session store: actions named after what happened (an answer or an event arrived), each folding
// one fact into the session state. Out-of-order snapshots never overwrite newer events.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ComponentStatus, FeedHealth, TradingStateChange } from '../../../shared/domain';
import type { ConnectionState } from '../../api/socket-client';
import {
  initialSessionState,
  type EngineInfo,
  type FeedAvailability,
  type SessionState,
  type SessionStatus,
  type Transport,
} from './initialState';

export interface SessionActions {
  transportSelected(transport: Transport): void;
  connectionChanged(state: ConnectionState, detail: string): void;
  engineInfoReceived(info: EngineInfo): void;
  sessionStatusReceived(status: SessionStatus): void;
  feedHealthChanged(health: FeedHealth): void;
  tradingStateChanged(change: TradingStateChange): void;
  clockTicked(now: number): void;
  componentStateChanged(status: ComponentStatus): void;
  feedsReceived(feeds: readonly FeedAvailability[]): void;
  /** The engine accepted a new feed speed (the answer to `feed.setSpeed`). */
  feedSpeedChanged(speed: number): void;
  /** The engine paused or resumed the feed (the answer to `feed.pause` / `feed.resume`). */
  feedPausedChanged(paused: boolean): void;
  /** The trader confirmed live trading and the engine accepted it (the answer to `trading.confirmLive`). */
  liveConfirmed(change: TradingStateChange): void;
}

export type SessionStore = SessionState & SessionActions;
export type SessionStoreApi = StoreApi<SessionStore>;

/** A feed report replaces the current one unless it is an older report about the same feed. */
function newerFeed(current: FeedHealth | null, next: FeedHealth): FeedHealth {
  if (current && current.feedId === next.feedId && next.at < current.at) return current;
  return next;
}

/** A `session.status` answer can be overtaken by a `trading.state` event; the later change wins. */
function newerTrading(current: TradingStateChange | null, next: TradingStateChange): TradingStateChange {
  if (current && next.at < current.at) return current;
  return next;
}

export function createSessionStore(initial: Partial<SessionState> = {}): SessionStoreApi {
  return createStore<SessionStore>()((set) => ({
    ...initialSessionState,
    ...initial,
    transportSelected: (transport) => set({ transport }),
    connectionChanged: (connection, detail) =>
      set((s) => ({
        connection,
        connectionDetail: detail,
        connectionEpoch: connection === 'open' && s.connection !== 'open' ? s.connectionEpoch + 1 : s.connectionEpoch,
      })),
    engineInfoReceived: (info) => set({ engine: info, mode: info.mode, simulated: info.simulated }),
    sessionStatusReceived: (status) =>
      set((s) => ({
        mode: status.mode,
        simulated: status.simulated,
        feed: newerFeed(s.feed, status.feed),
        feedSpeed: status.feedSpeed,
        feedPaused: status.feedPaused,
        trading: newerTrading(s.trading, status.trading),
        // Ticks may already have moved the clock past the snapshot's instant.
        now: s.now === null ? status.now : Math.max(s.now, status.now),
        components: Object.fromEntries(status.components.map((c) => [c.name, c])),
        broker: status.broker,
      })),
    feedHealthChanged: (health) => set((s) => ({ feed: newerFeed(s.feed, health) })),
    tradingStateChanged: (change) => set((s) => ({ trading: newerTrading(s.trading, change) })),
    // A replay can restart its clock, so ticks are taken as they come rather than kept monotonic.
    clockTicked: (now) => set({ now }),
    componentStateChanged: (status) =>
      set((s) => ({ components: { ...s.components, [status.name]: status } })),
    feedsReceived: (feeds) => set({ feeds: [...feeds] }),
    feedSpeedChanged: (feedSpeed) => set({ feedSpeed }),
    feedPausedChanged: (feedPaused) => set({ feedPaused }),
    liveConfirmed: (change) =>
      set((s) => ({ trading: newerTrading(s.trading, change), broker: s.broker ? { ...s.broker, liveConfirmed: true } : s.broker })),
  }));
}
