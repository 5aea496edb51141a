// The whole engine in PAPER or LIVE mode against the loopback fake Alpaca (REST and trade_updates over
// real sockets), prices from the seeded synthetic market on a manual clock. Resolves once the stream is
// live, the start and stream reconciliations are done, and five minutes of bars have warmed the features.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NyseCalendar } from '../../src/main/calendar/nyse';
import { loadConfig } from '../../src/main/config/config';
import { SyntheticMarket } from '../../src/main/data/synthetic-market';
import { SimulatedClock } from '../../src/main/engine/clock';
import { createEngine, type Engine } from '../../src/main/app/compose';
import type { EventPayload } from '../../src/shared/contract';
import { FAKE_TRADING_KEY, FAKE_TRADING_SECRET, type FakeAlpacaTrading } from '../fakes/fake-alpaca-trading';
import { loopbackFetch, waitFor } from '../integration/vendors/helpers';

export const PAPER_START = '2025-03-03';

export interface PaperEngine {
  engine: Engine;
  clock: SimulatedClock;
  notices: Array<EventPayload<'app.notice'>>;
  /** Advances the manual clock by whole minutes (bars flow). */
  minutes(n: number): void;
}

/** `onCreated` gets the engine before it starts, so the caller can stop it even when start-up fails. */
export async function startPaperEngine(fake: FakeAlpacaTrading, options: { mode?: 'paper' | 'live'; dbPath?: string; onCreated?: (e: Engine) => void } = {}): Promise<PaperEngine> {
  const config = loadConfig({
    TRADING_MODE: options.mode ?? 'paper',
    TRADING_ALPACA_KEY_ID: FAKE_TRADING_KEY,
    TRADING_ALPACA_SECRET_KEY: FAKE_TRADING_SECRET,
    // The live host is refused unless live is set, so LIVE points at the fake through the override too.
    TRADING_ALPACA_TRADING_URL: fake.restUrl,
    TRADING_ALPACA_TRADING_STREAM_URL: fake.streamUrl,
    TRADING_DB_PATH: options.dbPath ?? ':memory:',
    TRADING_DATA_DIR: mkdtempSync(join(tmpdir(), 'paper-engine-')),
    TRADING_WATCHLIST: 'SPY,AAPL',
    TRADING_RETRAIN_MINUTES: '1440',
    TRADING_MAX_ORDERS_PER_MINUTE: '1000',
  });
  const calendar = new NyseCalendar();
  const clock = new SimulatedClock(calendar.sessionOnOrAfter(PAPER_START).open);
  const feed = new SyntheticMarket({ symbols: config.watchlist, seed: 5, clock, speed: 1, startDate: PAPER_START, calendar, historySessions: 1, drive: 'manual' });
  const engine = createEngine(config, { feed: { feed, clock, history: () => feed.history() }, clockTickMs: 0, signalGenerators: false, fetch: loopbackFetch });
  options.onCreated?.(engine);
  const notices: Array<EventPayload<'app.notice'>> = [];
  engine.bus.subscribe('app.notice', (n) => notices.push(n));
  await engine.start();
  await waitFor(() => fake.listeningClients === 1, 'trade_updates listening');
  await waitFor(() => engine.reconciler.latest?.trigger === 'stream', 'stream reconciliation');
  const minutes = (n: number): void => clock.advanceBy(n * 60_000);
  minutes(5); // fresh bars, warm features
  return { engine, clock, notices, minutes };
}
