// The composition root: builds a whole engine from a validated config. Live, paper and backtest
// differ only in the clock, the feed and (later) the broker plugged in here; nothing below asks
// which mode it runs in. Each call builds fresh parts, so several engines can share a process.
import { randomUUID } from 'node:crypto';
import { isEventName, type EventName } from '../../shared/contract';
import type { Bar, ComponentStatus, HostKind } from '../../shared/domain';
import type { EngineConfig } from '../config/config';
import { BarCache } from '../data/bar-cache';
import { DataEngine } from '../data/data-engine';
import { isPaced, type MarketFeed } from '../data/feed';
import { latestWeekday, sessionOpenUtc, ToyMarket } from '../data/toy-market';
import { createDispatcher, RefusalError, type Dispatch, type HandlerMap } from '../ipc/dispatcher';
import { createMemoryLogger, type Logger } from '../logging/logger';
import { TradingStateMachine } from '../risk/trading-state';
import { MessageBus } from './bus';
import { LiveClock, SimulatedClock, type Clock } from './clock';
import type { EngineHost, EventListener } from './host-api';
import type { Component } from './lifecycle';
import type { EngineBus, EngineEndpoints, EngineTopics } from './topics';

export const APP_VERSION = '0.1.0';

export interface EngineDeps {
  host?: HostKind;
  logger?: Logger;
  /** Wall clock for choosing the first simulated session (tests pin it). */
  wallClock?: () => number;
  /** Replaces the default feed for the mode (replay, fakes in tests). */
  feed?: { feed: MarketFeed; clock: Clock; history?: () => readonly Bar[] };
  /** Real-time interval between clock.tick events; 0 disables them. */
  clockTickMs?: number;
}

export interface Engine extends EngineHost {
  readonly config: EngineConfig;
  readonly bus: EngineBus;
  readonly clock: Clock;
  readonly cache: BarCache;
  readonly data: DataEngine;
  readonly trading: TradingStateMachine;
  readonly feed: MarketFeed;
  readonly log: Logger;
  components(): ComponentStatus[];
}

export class EngineConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineConfigError';
  }
}

function buildFeed(config: EngineConfig, deps: EngineDeps): { feed: MarketFeed; clock: Clock; history: () => readonly Bar[] } {
  if (deps.feed) return { feed: deps.feed.feed, clock: deps.feed.clock, history: deps.feed.history ?? (() => []) };
  if (config.mode !== 'SIMULATED') {
    // A config that does not fit what this build can run is refused at start, with the way out.
    throw new EngineConfigError(
      `TRADING_MODE=${config.mode.toLowerCase()} needs the Alpaca feed and broker, which this build does not include yet; ` +
        'set TRADING_MODE=simulated (the default) to run the simulated session',
    );
  }
  const wall = deps.wallClock ?? Date.now;
  const startDate = config.sim.startDate ?? latestWeekday(wall());
  const clock = new SimulatedClock(sessionOpenUtc(startDate));
  const feed = new ToyMarket({ symbols: config.watchlist, seed: config.sim.seed, clock, speed: config.sim.speed, startDate, historySessions: 1 });
  return { feed, clock, history: () => feed.history() };
}

export function createEngine(config: EngineConfig, deps: EngineDeps = {}): Engine {
  const id = `engine-${randomUUID().slice(0, 8)}`;
  const log = (deps.logger ?? createMemoryLogger()).child(id);
  const bus: EngineBus = new MessageBus<EngineTopics, EngineEndpoints>((report) =>
    log.error(`bus ${report.kind} ${report.name} threw`, { error: report.error }),
  );
  const { feed, clock, history } = buildFeed(config, deps);
  const cache = new BarCache();
  const statusOf = new Map<string, ComponentStatus>();
  const onStatus = (s: ComponentStatus): void => {
    statusOf.set(s.name, s);
    bus.publish('component.state', s);
  };
  const data = new DataEngine(feed, cache, bus, clock, log.child('data'), config.watchlist, onStatus);
  const trading = new TradingStateMachine(bus, clock, log.child('trading'));
  const components: Component[] = [data];
  for (const c of components) statusOf.set(c.name, c.status());

  const notAvailable = (what: string, issue: string): never => {
    throw new RefusalError('NOT_AVAILABLE', `${what} is not part of this build yet (${issue}); nothing was started`);
  };

  const handlers: HandlerMap = {
    'app.info': () => ({
      appVersion: APP_VERSION,
      engineId: id,
      host: deps.host ?? 'headless',
      mode: config.mode,
      simulated: feed.simulated,
      watchlist: [...config.watchlist],
      runtime: { node: process.versions.node, electron: process.versions.electron ?? null, platform: process.platform },
      credentials: { alpaca: config.alpaca !== null, polygon: config.polygon !== null },
    }),
    'session.status': () => ({
      mode: config.mode,
      simulated: feed.simulated,
      now: clock.now(),
      feed: data.health,
      feedSpeed: isPaced(feed) ? feed.speed : 1,
      feedPaused: isPaced(feed) ? feed.paused : false,
      trading: trading.state,
      components: [...statusOf.values()],
    }),
    'market.watchlist': () => ({
      symbols: [...config.watchlist],
      quotes: config.watchlist.map((s) => cache.quote(s)).filter((q): q is NonNullable<typeof q> => q !== null),
    }),
    'market.bars': ({ symbol, limit }) => {
      if (!config.watchlist.includes(symbol)) {
        throw new RefusalError('BAD_REQUEST', `market.bars: ${symbol} is not in the watchlist (${config.watchlist.join(', ')})`);
      }
      return { symbol, bars: cache.bars(symbol, limit) };
    },
    'feed.setSpeed': ({ speed }) => {
      if (!isPaced(feed)) throw new RefusalError('REFUSED', `${feed.label} runs in real time; its speed cannot be changed`);
      feed.setSpeed(speed);
      return { speed: feed.speed };
    },
    'feed.pause': () => {
      if (!isPaced(feed)) throw new RefusalError('REFUSED', `${feed.label} runs in real time and cannot be paused`);
      feed.pause();
      return { paused: true };
    },
    'feed.resume': () => {
      if (!isPaced(feed)) throw new RefusalError('REFUSED', `${feed.label} runs in real time`);
      feed.resume();
      return { paused: false };
    },
    'trading.killSwitch': ({ reason }) => trading.killSwitch(reason),
    'trading.resume': () => {
      if (trading.state.state === 'ACTIVE') return trading.state;
      return trading.change('ACTIVE', 'resumed by the trader');
    },
    'backtest.run': () => notAvailable('The backtester', 'the backtest issue'),
    'models.train': () => notAvailable('Model training', 'the learning-engine issue'),
  };
  const dispatch: Dispatch = createDispatcher(handlers, (channel, error) =>
    log.error(`handler ${channel} threw`, { error }),
  );

  let tickTimer: ReturnType<typeof setInterval> | null = null;
  let started = false;

  const engine: Engine = {
    id,
    config,
    bus,
    clock,
    cache,
    data,
    trading,
    feed,
    log,
    dispatch,
    components: () => [...statusOf.values()],
    onEvent(listener: EventListener) {
      return bus.subscribeAll((topic, message) => {
        if (isEventName(topic)) listener(topic as EventName, message as never);
      });
    },
    async start() {
      if (started) return;
      started = true;
      log.info('engine starting', { mode: config.mode, feed: feed.label, watchlist: config.watchlist.join(',') });
      data.seed(history());
      for (const c of components) {
        try {
          await c.start();
        } catch (error) {
          // A faulted component is shown, and the rest of the engine keeps running.
          log.error(`component ${c.name} failed to start`, { error });
          bus.publish('app.notice', {
            level: 'error',
            code: `component.${c.name}`,
            message: `${c.name} failed to start: ${error instanceof Error ? error.message : String(error)}`,
            at: clock.now(),
          });
        }
      }
      const tickMs = deps.clockTickMs ?? 500;
      if (tickMs > 0) {
        tickTimer = setInterval(() => bus.publish('clock.tick', { now: clock.now() }), tickMs);
        tickTimer.unref?.();
      }
    },
    async stop() {
      if (!started) return;
      started = false;
      if (tickTimer) clearInterval(tickTimer);
      tickTimer = null;
      for (const c of [...components].reverse()) {
        try {
          await c.stop();
        } catch (error) {
          log.error(`component ${c.name} failed to stop`, { error });
        }
      }
      log.info('engine stopped');
    },
  };
  return engine;
}
