// Atomic selectors over the session slice: each returns a primitive or an existing reference, so a
// component re-renders only when its own value changes.
import type { SessionMode } from '../../../shared/domain';
import type { FeedAvailability } from './initialState';
import type { SessionStore } from './store';

export const sessionSelectors = {
  connection: (s: SessionStore) => s.connection,
  connectionDetail: (s: SessionStore) => s.connectionDetail,
  connectionEpoch: (s: SessionStore) => s.connectionEpoch,
  transport: (s: SessionStore) => s.transport,
  engine: (s: SessionStore) => s.engine,
  mode: (s: SessionStore): SessionMode | null => s.mode,
  /** True when anything says the data is not real: the mode, the engine's flag or the feed's. */
  isSimulated: (s: SessionStore): boolean =>
    s.mode === 'SIMULATED' || s.simulated === true || s.feed?.simulated === true,
  feedLabel: (s: SessionStore): string => s.feed?.label ?? 'no feed',
  feedState: (s: SessionStore) => s.feed?.state ?? null,
  feedDetail: (s: SessionStore): string => s.feed?.detail ?? '',
  feedPaused: (s: SessionStore) => s.feedPaused,
  feedSpeed: (s: SessionStore) => s.feedSpeed,
  feeds: (s: SessionStore) => s.feeds,
  /** The feed `market.feeds` marks active; null until known. */
  activeFeedId: (s: SessionStore): FeedAvailability['id'] | null => s.feeds?.find((f) => f.active)?.id ?? null,
  /** Only a replay can seek; the seek control is shown only then. */
  isReplay: (s: SessionStore): boolean => s.feeds?.some((f) => f.active && f.id === 'replay') ?? false,
  tradingState: (s: SessionStore) => s.trading?.state ?? null,
  tradingCause: (s: SessionStore): string => s.trading?.cause ?? '',
  isHalted: (s: SessionStore): boolean => s.trading?.state === 'HALTED',
  brokerLabel: (s: SessionStore): string => s.broker?.label ?? '',
  /** A LIVE account the trader has not confirmed this session: entries wait for the confirmation. */
  liveUnconfirmed: (s: SessionStore): boolean => s.broker?.live === true && !s.broker.liveConfirmed,
  isLiveBroker: (s: SessionStore): boolean => s.broker?.live === true,
  /** Stopped for something other than the kill switch (REDUCING: a loss limit, a position mismatch): the trader may resume. */
  isReducing: (s: SessionStore): boolean => s.trading?.state === 'REDUCING',
  now: (s: SessionStore) => s.now,
  components: (s: SessionStore) => s.components,
  /** Components that need the trader's attention (degraded or faulted). */
  troubledComponentCount: (s: SessionStore): number =>
    Object.values(s.components).filter((c) => c.state === 'degraded' || c.state === 'faulted').length,
  componentCount: (s: SessionStore): number => Object.keys(s.components).length,
};
