// The app and session channels: what this engine is, and the state of its session at a glance.
import type { ComponentStatus, HostKind } from '../../../shared/domain';
import type { EngineConfig } from '../../config/config';
import type { DataEngine } from '../../data/data-engine';
import { isPaced, type MarketFeed } from '../../data/feed';
import type { Clock } from '../../engine/clock';
import type { Broker } from '../../execution/types';
import type { TradingStateMachine } from '../../risk/trading-state';
import type { DomainHandlers } from './combine';
import type { LiveConfirmation } from './trading';

export const APP_VERSION = '0.1.0';

export interface SessionHandlerDeps {
  engineId: string;
  host: HostKind;
  config: Pick<EngineConfig, 'mode' | 'watchlist' | 'alpaca' | 'polygon'>;
  feed: MarketFeed;
  clock: Clock;
  data: Pick<DataEngine, 'health'>;
  trading: Pick<TradingStateMachine, 'state'>;
  components: () => ComponentStatus[];
  broker: Pick<Broker, 'label' | 'simulated'>;
  live: LiveConfirmation;
}

export function sessionHandlers(deps: SessionHandlerDeps): DomainHandlers<'app.info' | 'session.status'> {
  const { config, feed } = deps;
  return {
    'app.info': () => ({
      appVersion: APP_VERSION,
      engineId: deps.engineId,
      host: deps.host,
      mode: config.mode,
      simulated: feed.simulated,
      watchlist: [...config.watchlist],
      runtime: { node: process.versions.node, electron: process.versions.electron ?? null, platform: process.platform },
      credentials: { alpaca: config.alpaca !== null, polygon: config.polygon !== null },
    }),
    'session.status': () => ({
      mode: config.mode,
      simulated: feed.simulated,
      now: deps.clock.now(),
      feed: deps.data.health,
      feedSpeed: isPaced(feed) ? feed.speed : 1,
      feedPaused: isPaced(feed) ? feed.paused : false,
      trading: deps.trading.state,
      components: deps.components(),
      broker: { label: deps.broker.label, simulated: deps.broker.simulated, live: deps.live.live, liveConfirmed: deps.live.confirmed },
    }),
  };
}
