// Builds an engine on the synthetic market with a manually driven clock: deterministic, no real timers.
import { defaultConfig, type VariableName } from '../../src/main/config/config';
import { createEngine, type Engine } from '../../src/main/app/compose';
import { SimulatedClock } from '../../src/main/engine/clock';
import { SyntheticMarket } from '../../src/main/data/synthetic-market';
import { NyseCalendar } from '../../src/main/calendar/nyse';
import type { Bar } from '../../src/shared/domain';

export interface ManualEngine {
  engine: Engine;
  clock: SimulatedClock;
  feed: SyntheticMarket;
  bars: Bar[];
  /** Advances the simulated clock by whole minutes. */
  minutes(n: number): void;
}

export function manualEngine(
  overrides: Partial<Record<VariableName, string>> = {},
  startDate = '2025-03-03',
  options: { signals?: boolean } = {},
): ManualEngine {
  // No scheduled retrain unless a test asks for one.
  const config = defaultConfig({ TRADING_SIM_START: startDate, TRADING_RETRAIN_MINUTES: '1440', ...overrides });
  const calendar = new NyseCalendar();
  const clock = new SimulatedClock(calendar.sessionOnOrAfter(startDate).open);
  const feed = new SyntheticMarket({ symbols: config.watchlist, seed: config.sim.seed, clock, speed: 1, startDate, calendar, historySessions: 1, drive: 'manual' });
  const engine = createEngine(config, { feed: { feed, clock, history: () => feed.history() }, clockTickMs: 0, signalGenerators: options.signals ?? false });
  const bars: Bar[] = [];
  engine.bus.subscribe('market.bar', (b) => bars.push(b));
  return { engine, clock, feed, bars, minutes: (n) => clock.advanceBy(n * 60_000) };
}
