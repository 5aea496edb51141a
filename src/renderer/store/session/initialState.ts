// The session slice's shape and its state before the engine has answered: everything the status bar
// and header show about the connection, the engine, the feed, the trading state and the clock.
import type { ResponseOf } from '../../../shared/contract';
import type { ComponentStatus, FeedHealth, SessionMode, TradingStateChange } from '../../../shared/domain';
import type { ConnectionState } from '../../api/socket-client';

export type EngineInfo = ResponseOf<'app.info'>;
export type FeedAvailability = ResponseOf<'market.feeds'>[number];
export type SessionStatus = ResponseOf<'session.status'>;
export type Transport = 'preload' | 'socket';

export interface SessionState {
  /** How the renderer reaches the engine; null until the transport is chosen. */
  transport: Transport | null;
  connection: ConnectionState;
  connectionDetail: string;
  /** How many times the connection has opened; views that hold streamed data reload when it grows. */
  connectionEpoch: number;
  /** The `app.info` answer; null until it arrives. */
  engine: EngineInfo | null;
  /** Null until the engine has said which mode it runs in: the UI must not guess LIVE or SIMULATED. */
  mode: SessionMode | null;
  /** Whether the engine trades on simulated data; null until known. */
  simulated: boolean | null;
  feed: FeedHealth | null;
  feedSpeed: number | null;
  feedPaused: boolean;
  /** Every feed this engine knows, whether it can be used and why not (`market.feeds`); null until known. */
  feeds: readonly FeedAvailability[] | null;
  trading: TradingStateChange | null;
  /** The engine clock (epoch ms UTC), which in a replay runs at the feed's speed, not the wall clock's. */
  now: number | null;
  /** Engine components by name. */
  components: Readonly<Record<string, ComponentStatus>>;
  /** Where orders go (`session.status`); null until known. */
  broker: SessionStatus['broker'] | null;
}

export const initialSessionState: SessionState = {
  transport: null,
  connection: 'connecting',
  connectionDetail: '',
  connectionEpoch: 0,
  engine: null,
  mode: null,
  simulated: null,
  feed: null,
  feedSpeed: null,
  feedPaused: false,
  feeds: null,
  trading: null,
  now: null,
  components: {},
  broker: null,
};
