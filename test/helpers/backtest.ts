// A history database for backtests: the real SPY minute month imported into a fresh SQLite file
// (and, when asked, a second symbol built from it so a run has more than one), plus the engine
// configuration a run takes its exits and learning settings from.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NyseCalendar } from '../../src/main/calendar/nyse';
import { createEngine, type Engine, type EngineDeps } from '../../src/main/app/compose';
import { ResultCollector, type CollectedRun } from '../../src/main/backtest/result-collector';
import { defaultConfig, loadConfig, type EngineConfig } from '../../src/main/config/config';
import { importHistory } from '../../src/main/data/import/importer';
import { openDatabase } from '../../src/main/store/database';
import { HistoryStore } from '../../src/main/store/history-store';
import { readSpy, SPY_FILE } from './data';

export const HAVE_SPY = existsSync(SPY_FILE);
export const SPY_MONTH = { from: '2011-01-03', to: '2011-01-31' } as const;

/** SPY's month imported into a new database file; `alsoAs` adds the same bars (prices × 0.5) under other tickers. */
export function spyHistoryDb(options: { alsoAs?: string[] } = {}): { dir: string; dbPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bt-history-'));
  const dbPath = join(dir, 'history.db');
  const db = openDatabase(dbPath);
  try {
    const store = new HistoryStore(db);
    const calendar = new NyseCalendar();
    const text = readSpy();
    importHistory(store, calendar, { file: 'spy', text, format: 'ninjatrader', symbol: 'SPY' });
    for (const symbol of options.alsoAs ?? []) {
      const halved = text
        .split('\n')
        .map((line) => {
          const f = line.split(';');
          if (f.length < 6) return line;
          return [f[0], ...f.slice(1, 5).map((x) => (Number(x) * 0.5).toFixed(4)), f[5]].join(';');
        })
        .join('\n');
      importHistory(store, calendar, { file: symbol, text: halved, format: 'ninjatrader', symbol });
    }
  } finally {
    db.close();
  }
  return { dir, dbPath };
}

export function backtestBaseConfig(dir: string): EngineConfig {
  return defaultConfig({ TRADING_DATA_DIR: dir, TRADING_DB_PATH: join(dir, 'unused.db') });
}

/**
 * A paper session over stored days, composed from the configuration as the headless host composes it
 * (SIMULATED, the replay feed at full speed), run until the replay has published its last bar and what
 * that bar set off has settled. `prepare` gets the engine before it starts (set the desk, subscribe).
 */
export async function runPaperReplay(
  options: { dbPath: string; dataDir: string; symbols: readonly string[]; from: string; to: string; deps?: EngineDeps },
  prepare: (engine: Engine) => void = () => {},
): Promise<CollectedRun> {
  const config = loadConfig({}, {
    TRADING_MODE: 'simulated',
    TRADING_FEED: 'replay',
    TRADING_REPLAY_FROM: options.from,
    TRADING_REPLAY_TO: options.to,
    TRADING_WATCHLIST: options.symbols.join(','),
    TRADING_SIM_SPEED: '1000000',
    TRADING_DB_PATH: options.dbPath,
    TRADING_DATA_DIR: options.dataDir,
  });
  const engine = createEngine(config, { clockTickMs: 0, ...options.deps });
  prepare(engine);
  const collector = new ResultCollector(engine.bus, 20_000);
  const finished = new Promise<void>((resolve) => {
    engine.bus.subscribe('feed.health', (h) => {
      if (h.state === 'stopped' && /replay finished/.test(h.detail)) resolve();
    });
  });
  try {
    await engine.start();
    await finished;
    // What the last bars set off settles, as the backtest's driver lets it.
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    return collector.finish();
  } finally {
    await engine.stop();
  }
}
